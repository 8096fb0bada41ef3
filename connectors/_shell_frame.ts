/**
 * The scripts that frame a command in a persistent shell: its stdout,
 * stderr and exit status end with a marker unique to the command.
 *
 * @module
 */

import { quote } from "../lib/core/command.ts";

/**
 * Commands that run only while every earlier one with the same gate
 * succeeded: the shell remembers a failure in a variable of its own, so a
 * batch can be sent at once and still stop at its first failure.
 */
export interface ShellGate {
  /** The shell variable (`skiff_gate_…`) that records a failure. */
  name: string;
  /** Exit codes that count as success. */
  codes: readonly number[];
}

/**
 * The script text that runs `command` framed by `marker`, with secrets
 * assigned inside the subshell (they travel on stdin, never in argv). With
 * a `gate` it runs only while no earlier command of the gate failed, and
 * prints `-` where the exit status goes when it did not run.
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
  gate?: ShellGate,
): string {
  const assignments = Object.entries(secretEnv).map(([name, value]) =>
    `${name}=${quote(value)}; export ${name}; `
  )
    .join("");
  const run = `( ${assignments}eval ${quote(command)} ) </dev/null`;
  const end = `printf '\\n%s\\n' ${marker} >&2\n`;
  if (!gate) return `${run}; printf '\\n%s:%d\\n' ${marker} "$?"; ${end}`;
  if (!/^skiff_gate_[0-9a-f]+$/.test(gate.name) || !gate.codes.every(Number.isInteger)) {
    throw new TypeError(`Not a shell gate: ${JSON.stringify(gate)}`);
  }
  return `if [ -z "\${${gate.name}-}" ]; then ${run}; skiff_s=$?; ` +
    `case $skiff_s in ${gate.codes.join("|")}) ;; *) ${gate.name}=1;; esac; else skiff_s=-; fi; ` +
    `printf '\\n%s:%s\\n' ${marker} "$skiff_s"; ${end}`;
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
