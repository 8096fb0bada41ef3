/**
 * `npm.packages`: the top-level packages of a project directory (its
 * `node_modules` and `package.json`) or the global ones, through `npm`.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { NpmPackagesOptions, OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { npmListCommand, npmWhere, parseNpmList } from "../facts/npm.ts";
import { type OpContext, runScript } from "./context.ts";
import { pathCheck } from "./_file_io.ts";
import { keys, type MayChange } from "./effects.ts";
import { fileKey } from "./file_state.ts";
import { flag, type LangManager, langSpecs, manageLang } from "./_lang_packages.ts";

/** The predicted-state prefix of the packages of a directory (or the global ones). */
const npmPrefix = (dir?: string) => `npm:${dir ?? ""}:`;

/** What `npm.packages` may change: its packages and the files under its directory (or /usr for global). */
export const NPM_PACKAGES: MayChange = keys((call) => {
  const dir = call.options.dir;
  if (typeof dir === "string" && call.options.global !== true) {
    return [npmPrefix(dir), `${fileKey(dir)}/`];
  }
  return [npmPrefix(), "file:/usr/"];
});

const NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * Splits an npm spec: `name`, `name@1.2.3` (an exact version, compared),
 * `name@^1` or `name@file:/path/pkg.tgz` (installed when missing),
 * `@scope/name@…`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { npmSpec } from "./npm_ops.ts";
 * deepStrictEqual(npmSpec("@types/node@20.1.0"), { spec: "@types/node@20.1.0", name: "@types/node", version: "20.1.0" });
 * deepStrictEqual(npmSpec("tiny@file:/srv/tiny-1.0.0.tgz"), { spec: "tiny@file:/srv/tiny-1.0.0.tgz", name: "tiny" });
 * ```
 */
export function npmSpec(spec: string): { spec: string; name: string; version?: string } {
  const at = spec.indexOf("@", 1);
  const name = at > 0 ? spec.slice(0, at) : spec;
  const range = at > 0 ? spec.slice(at + 1) : undefined;
  if (!NAME.test(name) || range === "" || (range !== undefined && /[\s]/.test(range))) {
    throw new InputError(
      `npm.packages packages: expected "name", "name@version" or "name@file:PATH", got ${
        JSON.stringify(spec)
      }`,
    );
  }
  const exact = range !== undefined && /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(range);
  return exact ? { spec, name, version: range } : { spec, name };
}

/**
 * `npm.packages(packages, {dir, global, present, latest})`: installs the
 * named packages that are missing (or at another exact version) into
 * `dir` (`npm install --prefix DIR`, saved in its package.json) or
 * globally, upgrades those `npm outdated` lists with `latest`, removes
 * them with `present: false`.
 */
export async function packages(
  ctx: OpContext,
  options: NpmPackagesOptions & { packages: string | string[] },
): Promise<OperationResult> {
  const global = flag("npm.packages", options as unknown as Record<string, unknown>, "global") ??
    false;
  if (!global && options.dir === undefined) {
    throw new InputError("npm.packages dir: a project directory is required (or global: true)");
  }
  const dir = global ? undefined : pathCheck(options.dir, "npm.packages dir");
  const present = flag("npm.packages", options as unknown as Record<string, unknown>, "present") ??
    true;
  const latest = flag("npm.packages", options as unknown as Record<string, unknown>, "latest") ??
    false;
  const where = npmWhere(dir);
  const quiet = sh`--no-audit --no-fund --no-update-notifier`;
  const manager: LangManager = {
    op: "npm.packages",
    prefix: npmPrefix(dir),
    dir,
    parse: npmSpec,
    installed: async (builder) =>
      parseNpmList((await runScript(ctx, npmListCommand(dir), builder)).join("\n")),
    outdated: async (names, builder) => {
      // `npm outdated` exits 1 when it lists anything.
      const lines = await runScript(
        ctx,
        sh`out=$(npm outdated --json ${where} -- ${names}); rc=$?; printf '%s\\n' "$out"; [ "$rc" -le 1 ] || exit "$rc"`,
        builder,
      );
      const out: Record<string, string> = {};
      const listed = JSON.parse(lines.join("\n").trim() || "{}") as Record<
        string,
        { current?: string; latest?: string }
      >;
      for (const [name, entry] of Object.entries(listed)) {
        if (entry.latest && entry.current !== entry.latest && names.includes(name)) {
          out[name] = entry.latest;
        }
      }
      return out;
    },
    install: (specs, upgrade) =>
      sh`npm install ${quiet} ${where} -- ${
        upgrade ? specs.map((name) => `${name}@latest`) : specs
      }`,
    remove: (names) => sh`npm uninstall ${quiet} ${where} -- ${names}`,
  };
  return await manageLang(ctx, manager, {
    specs: langSpecs(manager, options.packages),
    present,
    latest,
  });
}
