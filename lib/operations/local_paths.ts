/**
 * The one local-path policy: which files on the controller the operations a
 * deploy calls may read and write. Reads are allowed inside the deploy
 * modules' directories and the paths granted with `--allow-read` or the
 * fleet's `allow_read:`; writes only inside `--allow-write` or `allow_write:`.
 * Paths are resolved (`..`, symlinks) before they are checked.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";

/** What an operation does with a local path. */
export type LocalAccess = "read" | "write";

/** The paths granted, as absolute paths (resolved to real paths by the policy). */
export interface LocalGrants {
  /** Readable: the deploys' directories, `--allow-read` and fleet `allow_read`. */
  readonly read: readonly string[];
  /** Writable: `--allow-write` and fleet `allow_write`. */
  readonly write: readonly string[];
}

/** The policy as people read it (`skiff doctor`, README "Deploys run sandboxed"). */
export const LOCAL_PATH_POLICY: readonly string[] = [
  "deploy code  reads only the deploys' directories and --allow-read/allow_read paths; no writes, network, processes or environment",
  "operations   read local files only inside the deploys' directories and --allow-read/allow_read paths",
  "operations   write local files only inside --allow-write/allow_write paths",
  "paths        resolved (.., symlinks) before the check; a refusal names the flag that grants it (exit 2)",
  "@local       the target is this machine: its operations act on it as the operator",
];

/** A local path outside what the operator granted. An InputError (exit code 2). */
export class LocalPathRefusal extends InputError {
  /** Creates the refusal; the message names the operation, both paths and the flag. */
  constructor(operation: string, given: string, resolved: string, access: LocalAccess) {
    const flag = access === "read" ? "--allow-read" : "--allow-write";
    super(
      `${operation}: local path "${given}" (resolved "${resolved}") is outside the paths granted to ${access}: grant it with ${flag} "${resolved}" or fleet allow_${access}`,
    );
    this.name = "LocalPathRefusal";
  }
}

/**
 * A local source an operation was given that does not exist: an InputError
 * (exit code 2) of the deploy, the same on every host that meets it, so the
 * run says it once (`message`) and each host's line says only `short`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { MissingLocalSource } from "./local_paths.ts";
 * const missing = new MissingLocalSource("files.put", "a.conf", {
 *   deploy: "web",
 *   base: "/srv/deploys",
 *   resolved: "/srv/deploys/a.conf",
 * });
 * strictEqual(
 *   missing.message,
 *   'Deploy web: files.put source "a.conf" does not exist (resolved against the deploy\'s folder /srv/deploys as /srv/deploys/a.conf)',
 * );
 * strictEqual(missing.short, 'source "a.conf" does not exist (see the error at the end)');
 * ```
 */
export class MissingLocalSource extends InputError {
  /** What a host's failed operation says: the path as given, and where the rest is. */
  readonly short: string;

  /** Names the deploy, the operation, the path as given and as resolved. */
  constructor(
    operation: string,
    given: string,
    where: { deploy?: string; base: string; resolved: string },
  ) {
    const deploy = where.deploy ? `Deploy ${where.deploy}: ` : "";
    const against = given.startsWith("/") ? "" : ` against the deploy's folder ${where.base}`;
    super(
      `${deploy}${operation} source "${given}" does not exist (resolved${against} as ${where.resolved})`,
    );
    this.name = "MissingLocalSource";
    this.short = `source "${given}" does not exist (see the error at the end)`;
  }
}

/**
 * The real path of `path` (absolute): symlinks and `..` resolved. For a path
 * that does not exist yet, its nearest existing parent is resolved and the
 * rest appended.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { realLocalPath } from "./local_paths.ts";
 * deepStrictEqual(realLocalPath("/tmp/../tmp/skiff-no-such-file"), "/tmp/skiff-no-such-file");
 * ```
 */
export function realLocalPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    const at = path.lastIndexOf("/");
    if (at < 0) return path;
    const parent = at === 0 ? "/" : realLocalPath(path.slice(0, at));
    const name = path.slice(at + 1);
    if (name === "" || name === ".") return parent;
    if (name === "..") return parent.slice(0, parent.lastIndexOf("/")) || "/";
    return parent === "/" ? `/${name}` : `${parent}/${name}`;
  }
}

function inside(path: string, root: string): boolean {
  return root === "/" || path === root || path.startsWith(`${root}/`);
}

/**
 * Decides whether an operation may read or write a local path. Build one per
 * run with `LocalPathPolicy.of(grants)`.
 */
export class LocalPathPolicy {
  readonly #read: readonly string[];
  readonly #write: readonly string[];

  private constructor(read: readonly string[], write: readonly string[]) {
    this.#read = read;
    this.#write = write;
  }

  /**
   * The policy granting `grants` (each resolved to its real path).
   *
   * @example
   * ```ts
   * import { deepStrictEqual } from "node:assert/strict";
   * import { LocalPathPolicy } from "./local_paths.ts";
   * const policy = LocalPathPolicy.of({ read: ["/srv/deploys"], write: [] });
   * deepStrictEqual(policy.resolve("files.put", "app.conf", "read", "/srv/deploys"), "/srv/deploys/app.conf");
   * ```
   */
  static of(grants: LocalGrants): LocalPathPolicy {
    return new LocalPathPolicy(grants.read.map(realLocalPath), grants.write.map(realLocalPath));
  }

  /** The real paths granted, for messages and `skiff doctor`. */
  get grants(): LocalGrants {
    return { read: [...this.#read], write: [...this.#write] };
  }

  /**
   * Resolves `given` (relative to `base`) to its real path and returns it
   * when `access` is granted there; otherwise throws a LocalPathRefusal
   * naming `operation`.
   */
  resolve(operation: string, given: string, access: LocalAccess, base: string): string {
    const absolute = given.startsWith("/") ? given : `${base}/${given}`;
    const resolved = realLocalPath(absolute);
    const roots = access === "read" ? this.#read : this.#write;
    if (!roots.some((root) => inside(resolved, root))) {
      throw new LocalPathRefusal(operation, given, resolved, access);
    }
    return resolved;
  }
}
