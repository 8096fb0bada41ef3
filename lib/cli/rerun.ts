/**
 * The command that runs a deploy again on its failed hosts only.
 *
 * @module
 */

import { quote } from "../core/command.ts";
import { PAIR_START } from "./data_flags.ts";
import { CONTROL_ARGUMENTS } from "../core/arguments.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";

/** Options that take a value and choose hosts: the re-run replaces them. */
const SELECTION = new Set(["--limit", "--exclude"]);

/**
 * `skiff ARGV…` with its `--limit` and `--exclude` options replaced by
 * `--limit` naming `failed` (the failed hosts were all selected, so this
 * selects exactly them), every argument shell-quoted.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { rerunCommand } from "./rerun.ts";
 * strictEqual(
 *   rerunCommand(["deploy", "fleet.yml", "web.ts", "-y", "--limit", "web*", "--exclude=web9"], ["web3", "web7"]),
 *   "skiff deploy fleet.yml web.ts -y --limit web3,web7",
 * );
 * ```
 */
export function rerunCommand(argv: readonly string[], failed: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      kept.push(...argv.slice(i));
      break;
    }
    if (SELECTION.has(arg)) {
      i++;
      continue;
    }
    if (SELECTION.has(arg.split("=")[0])) continue;
    kept.push(arg);
  }
  return ["skiff", ...kept, "--limit", failed.join(",")].map(quote).join(" ");
}

/**
 * `argv` with the values of secret data keys given with `--data` as `***`,
 * so the re-run command never prints a password (the operator gives it again).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { maskSecretData } from "./rerun.ts";
 * deepStrictEqual(
 *   maskSecretData(["deploy", "web1", "--data", "ssh_user=x,ssh_password=hunter2", "--data=_sudo_password=pw"], new Set(["ssh_password", "_sudo_password"])),
 *   ["deploy", "web1", "--data", "ssh_user=x,ssh_password=***", "--data=_sudo_password=***"],
 * );
 * ```
 */
export function maskSecretData(
  argv: readonly string[],
  secretKeys: ReadonlySet<string>,
): string[] {
  const mask = (pairs: string) =>
    pairs.split(PAIR_START).map((pair) => {
      const key = pair.slice(0, pair.indexOf("=")).trim();
      return secretKeys.has(key) ? `${pair.slice(0, pair.indexOf("="))}=***` : pair;
    }).join(",");
  return argv.map((arg, i) =>
    argv[i - 1] === "--data"
      ? mask(arg)
      : arg.startsWith("--data=")
      ? `--data=${mask(arg.slice(7))}`
      : arg
  );
}

/**
 * The secret data keys: of `registry`'s connectors and the control arguments.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { secretKeys } from "./rerun.ts";
 * import { builtinRegistry } from "../../connectors/builtin.ts";
 * strictEqual(secretKeys(builtinRegistry()).has("ssh_password"), true);
 * ```
 */
export function secretKeys(registry: ConnectorRegistry): Set<string> {
  const metas = [CONTROL_ARGUMENTS, ...registry.list().map((c) => c.dataMeta)];
  return new Set(
    metas.flatMap((meta) => Object.entries(meta).filter(([, m]) => m.secret).map(([key]) => key)),
  );
}
