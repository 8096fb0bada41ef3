/**
 * One fnmatch-style glob for every place skiff matches names: `--limit`,
 * fleet restrictions, `~/.ssh/config` `Host`/`Match` patterns and its
 * `Include` file names.
 *
 * @module
 */

/** How a glob matches. */
export interface GlobOptions {
  /** `*` and `?` do not cross `/` (file names, as `Include` expands them). */
  pathname?: boolean;
  /** Case-insensitive, as ssh matches host names. */
  ignoreCase?: boolean;
}

/**
 * A shell glob (as fnmatch: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`) as an
 * anchored regular expression. Every other character is literal; a `[` with
 * no closing `]` is literal too.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { globRegExp } from "./glob.ts";
 * deepStrictEqual(globRegExp("web[0-3]*").test("web2.lan"), true);
 * deepStrictEqual(globRegExp("web[!0-3]").test("web2"), false);
 * deepStrictEqual(globRegExp("*.conf", { pathname: true }).test("a/b.conf"), false);
 * ```
 */
export function globRegExp(glob: string, options: GlobOptions = {}): RegExp {
  const any = options.pathname ? "[^/]" : ".";
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === "*") source += `${any}*`;
    else if (char === "?") source += any;
    else if (char === "[" && glob.indexOf("]", i + 2) !== -1) {
      const end = glob.indexOf("]", i + 2);
      let set = glob.slice(i + 1, end);
      const negated = set.startsWith("!");
      if (negated) set = set.slice(1);
      source += `[${negated ? "^" : ""}${set.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, options.ignoreCase ? "i" : "");
}

/** True when `glob` has a wildcard (`*`, `?` or `[`). */
export function isGlob(glob: string): boolean {
  return /[*?[]/.test(glob);
}
