/**
 * One command's frame in a persistent shell: the script that runs it and
 * the reading of what comes back.
 *
 * The command never gets the shell's own output streams. Its stdout goes
 * into a new pipe, its stderr into another whose lines a `read` loop tags
 * and adds to the first, and one `cat` hands that pipe on to the shell's
 * stdout. The shell waits for `cat`, which ends only when every process
 * holding the command's pipes has closed them: a background process the
 * command left behind can print into its own command's frame, never into
 * a later one. What it prints after the command exited is stray: it is
 * kept apart and makes the command fail. One pipe read by one `cat` also
 * keeps the order of stdout and stderr lines the command printed in turn.
 *
 * What comes back on the shell's stdout, with `M` a marker new for each
 * command: the command's stdout; `M|line` for each stderr line; `M:code`
 * when the command exited (`M:-` when its gate skipped it); `M|M` after
 * its last stderr line; and `M.status` once its pipes are closed, with the
 * status of its `cat` (not 0: `cat` was killed, see {@linkcode breakHoldScript}).
 *
 * @module
 */

import { quote } from "../lib/core/command.ts";

/**
 * Commands that run only while every earlier one with the same gate
 * succeeded: the shell remembers a failure in a variable of its own, so a
 * batch can be sent at once and still stop at its first failure. A command
 * whose pipes had to be cut ({@linkcode breakHoldScript}) fails its gate too.
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
 * prints `-` where the exit status goes when it did not run; the exit
 * status comes back to the shell through a command substitution.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { framedScript } from "./_shell_frame.ts";
 * strictEqual(
 *   framedScript("echo hi", {}, "M"),
 *   "{ { { ( eval 'echo hi' ) </dev/null 3>&-; printf '\\n%s:%s\\n' M \"$?\"; printf '\\n%s\\n' M >&2; } 2>&1 >&3 3>&- | " +
 *     "{ while IFS= read -r l; do printf '%s|%s\\n' M \"$l\"; done; [ -z \"$l\" ] || printf '%s|%s\\n' M \"$l\"; }; } 3>&1 | " +
 *     "skiff_f=M cat; } 2>/dev/null; printf '\\n%s.%s\\n' M \"$?\"\n",
 * );
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
  ).join("");
  const end = (status: string) => `printf '\\n%s.%s\\n' ${marker} ${status}\n`;
  const tag = `printf '%s|%s\\n' ${marker} "$l"`;
  const tagged = `{ while IFS= read -r l; do ${tag}; done; [ -z "$l" ] || ${tag}; }`;
  const ran = (gated: boolean) =>
    `( ${assignments}eval ${quote(command)} ) </dev/null 3>&-${
      gated ? " 4>&-; skiff_s=$?" : ""
    }; ` +
    `printf '\\n%s:%s\\n' ${marker} ${gated ? "$skiff_s" : '"$?"'}; ` +
    `printf '\\n%s\\n' ${marker} >&2;${gated ? " printf %s $skiff_s >&4;" : ""}`;
  // `2>/dev/null`: a shell that reports a killed `cat` (busybox: "Killed") does it there.
  if (!gate) {
    return `{ { { ${ran(false)} } 2>&1 >&3 3>&- | ${tagged}; } 3>&1 | ` +
      `skiff_f=${marker} cat; } 2>/dev/null; ${end('"$?"')}`;
  }
  if (!/^skiff_gate_[0-9a-f]+$/.test(gate.name) || !gate.codes.every(Number.isInteger)) {
    throw new TypeError(`Not a shell gate: ${JSON.stringify(gate)}`);
  }
  // Fd 4 carries "code cat-status" back to the shell; fd 5 is the shell's stdout meanwhile.
  const framed = `{ { { ${ran(true)} } 2>&1 >&3 3>&- | ${tagged} 4>&-; } 3>&1 | ` +
    `skiff_f=${marker} cat 4>&-; printf ' %s' "$?" >&4; } 2>/dev/null 4>&1 >&5 5>&-`;
  const passed = gate.codes.map((code) => `'${code} 0'`).join("|");
  return `if [ -z "\${${gate.name}-}" ]; then { skiff_s=$( ${framed} ); } 5>&1; ` +
    `case $skiff_s in ${passed}) ;; *) ${gate.name}=1;; esac; ` +
    `else skiff_s='- 0'; printf '\\n%s:-\\n' ${marker}; fi; ${end('"${skiff_s#* }"')}`;
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
 * import { framedScript, startedScript } from "./_shell_frame.ts";
 * strictEqual(startedScript("echo hi", "M"), `${framedScript("echo hi", {}, "M")}exec sh`);
 * ```
 */
export function startedScript(command: string, marker: string): string {
  return `${framedScript(command, {}, marker)}exec sh`;
}

/**
 * The script that cuts a command's pipes held open by a process it left
 * running, beside the shell and as its user. It finds the command's own
 * `cat` by the `skiff_f` variable only that `cat` has in its environment,
 * and kills it and the frame's other processes that have its pipe open (the
 * `read` loop and the subshells waiting for it): those that descend from
 * the `cat`'s parent. Never the process holding the pipes: the command has
 * exited, so what it left no longer descends from the shell; it gets EPIPE
 * on its next write. A `cat` already ended is not found, and a later
 * command's frame has another pipe, so it is safe to run late. Needs `/proc`.
 *
 * @example
 * ```ts
 * import { match } from "node:assert/strict";
 * import { breakHoldScript } from "./_shell_frame.ts";
 * match(breakHoldScript("M"), /^for f in \$\(grep -l skiff_f=M /);
 * ```
 */
export function breakHoldScript(marker: string): string {
  if (!/^__skiff_[0-9a-f]+$/.test(marker) && !/^[A-Z]+$/.test(marker)) {
    throw new TypeError(`Not a frame marker: ${JSON.stringify(marker)}`);
  }
  // Descendants of pid p, from every process's parent in /proc/*/stat.
  const descendants = `cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$2" ` +
    `'{ k = $1; sub(/.*\\) /, ""); pp[k] = $2 } END { d[p] = 1; ` +
    `do { more = 0; for (k in pp) if (!(k in d) && (pp[k] in d)) { d[k] = 1; more = 1 } } while (more); ` +
    `for (k in d) if (k != p) print k }'`;
  return `for f in $(grep -l skiff_f=${marker} /proc/[0-9]*/environ 2>/dev/null); do ` +
    `c=\${f#/proc/}; c=\${c%/environ}; a=$(readlink /proc/$c/fd/0) || continue; ` +
    `set -- $(sed 's/.*) //' /proc/$c/stat) && [ -n "$2" ] || continue; ` +
    `kids=$(${descendants}); kill -KILL $c 2>/dev/null; ` +
    `for k in $kids; do ls -l /proc/$k/fd 2>/dev/null | grep -qF "$a" && kill -KILL $k 2>/dev/null; done; ` +
    `done; true`;
}
