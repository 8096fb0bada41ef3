/**
 * The scripts that frame a command in a persistent shell: its stdout,
 * stderr and exit status end with a marker unique to the command.
 *
 * @module
 */

import { quote } from "../lib/core/command.ts";

/**
 * The script text that runs `command` framed by `marker`, with secrets
 * assigned inside the subshell (they travel on stdin, never in argv).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { framedScript } from "./_shell_frame.ts";
 * deepStrictEqual(framedScript("echo hi", {}, "M1"), "( eval 'echo hi' ) </dev/null; printf '\\n%s:%d\\n' M1 \"$?\"; printf '\\n%s\\n' M1 >&2\n");
 * ```
 */
export function framedScript(
  command: string,
  secretEnv: Readonly<Record<string, string>>,
  marker: string,
): string {
  const assignments = Object.entries(secretEnv).map(([name, value]) =>
    `${name}=${quote(value)}; export ${name}; `
  )
    .join("");
  return `( ${assignments}eval ${
    quote(command)
  } ) </dev/null; printf '\\n%s:%d\\n' ${marker} "$?"; ` +
    `printf '\\n%s\\n' ${marker} >&2\n`;
}

/**
 * A new marker that frames one command's output.
 *
 * @example
 * ```ts
 * import { match } from "node:assert/strict";
 * import { frameMarker } from "./_shell_frame.ts";
 * match(frameMarker(), /^__skiff_[0-9a-f]{32}$/);
 * ```
 */
export function frameMarker(): string {
  return `__skiff_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * The script a shell's start runs: `command` framed by `marker`, then `exec
 * sh`, which reads later commands from stdin (the same process, so still
 * the session leader). Its answer comes back with the shell's start, in the
 * same flight. It goes in argv on the host: never a secret.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { startedScript } from "./_shell_frame.ts";
 * strictEqual(
 *   startedScript("echo hi", "M"),
 *   "( eval 'echo hi' ) </dev/null; printf '\\n%s:%d\\n' M \"$?\"; printf '\\n%s\\n' M >&2\nexec sh",
 * );
 * ```
 */
export function startedScript(command: string, marker: string): string {
  return `${framedScript(command, {}, marker)}exec sh`;
}
