/**
 * The command that runs a deploy again on its failed hosts only.
 *
 * @module
 */

import { quote } from "../core/command.ts";

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
