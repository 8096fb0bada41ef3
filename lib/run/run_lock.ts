/**
 * The per-host run lock: one `skiff deploy` (or apply) at a time per host.
 * The lock is a directory made with `mkdir` on the host (atomic on every
 * POSIX file system) holding an `info` line that names its holder: the run's
 * id, the controller's host name, the user, the pid and the start time. Every
 * session of one run shares it (two inventory names for one machine), each
 * with an `m/h.<token>` file of its own; the last to leave removes it.
 *
 * The scripts here are pure strings; {@linkcode withHost} sends them as the
 * connection's first command and its last (`connectWith`, `disconnectWith`).
 *
 * @module
 */

import { quote } from "../core/command.ts";

/** Where the lock lives on every host. */
export const RUN_LOCK_PATH = "/tmp/skiff-run.lock";

/** Who holds (or wants) a lock: one run of skiff. */
export interface RunLockOwner {
  /** Random id of the run; sessions of one run share the lock. */
  run: string;
  /** The controller's host name. */
  controller: string;
  /** The user skiff runs as on the controller. */
  user: string;
  /** The pid of skiff on the controller. */
  pid: number;
  /** When the run started (ISO 8601). */
  started: string;
}

/** What the acquire script found. */
export type LockAnswer =
  | { state: "taken" | "shared" }
  | { state: "held"; holder?: RunLockOwner }
  | { state: "unknown"; output: string };

const MARK = "skiff-lock:";

function field(value: string): string {
  return value.replace(/\s+/g, "_") || "?";
}

/**
 * The `info` line of an owner: its fields separated by spaces.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * const owner = { run: "r1", controller: "ctl", user: "ann", pid: 42, started: "2026-01-01T00:00:00Z" };
 * strictEqual(infoLine(owner), "r1 ctl ann 42 2026-01-01T00:00:00Z");
 * ```
 */
export function infoLine(owner: RunLockOwner): string {
  return [owner.run, owner.controller, owner.user, String(owner.pid), owner.started]
    .map(field).join(" ");
}

/**
 * Parses an `info` line back into its owner; undefined when it is not one.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * deepStrictEqual(parseInfo("r1 ctl ann 42 2026-01-01T00:00:00Z"), {
 *   run: "r1", controller: "ctl", user: "ann", pid: 42, started: "2026-01-01T00:00:00Z",
 * });
 * deepStrictEqual(parseInfo("garbage"), undefined);
 * ```
 */
export function parseInfo(line: string): RunLockOwner | undefined {
  const parts = line.trim().split(" ");
  if (parts.length !== 5 || !/^\d+$/.test(parts[3])) return undefined;
  const [run, controller, user, pid, started] = parts;
  return { run, controller, user, pid: Number(pid), started };
}

/**
 * The script that takes the lock (or joins it, for a session of the same
 * run) and prints `skiff-lock: taken`, `shared`, `held` and the holder's info
 * line, or `unavailable` and why the lock could not be made. It waits on the
 * host (up to about 2 s) while a lock is being made or removed, so it
 * answers in one round trip; sessions of one run may run it at once.
 * `staleRun` first removes a lock still held by that run id.
 *
 * The lock directory holds `info` (written last, so a lock with `info` is
 * complete) and `m/`, one file per session. The last session to leave
 * removes `m` with `rmdir`, which fails while another session's file is in
 * it, so a joining session either lands in `m` before that or finds `m`
 * gone and makes a new lock.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * const owner = { run: "r1", controller: "ctl", user: "ann", pid: 42, started: "t" };
 * strictEqual(acquireScript(owner, "k1", { path: "/tmp/l" }).startsWith("d=/tmp/l; "), true);
 * ```
 */
export function acquireScript(
  owner: RunLockOwner,
  token: string,
  options: { path?: string; staleRun?: string } = {},
): string {
  const d = quote(options.path ?? RUN_LOCK_PATH);
  const mine = `"$d"/m/h.${quote(field(token))}`;
  const readRun = `{ read -r skiff_run _ < "$d/info"; } 2>/dev/null`;
  const stale = options.staleRun === undefined
    ? ""
    : `if ${readRun} && [ "$skiff_run" = ${quote(field(options.staleRun))} ] && ` +
      `mv "$d" "$d.stale.$$" 2>/dev/null; then rm -rf "$d.stale.$$"; fi; `;
  return `d=${d}; ${stale}i=0; while :; do ` +
    // A new lock: members first, info last.
    `if e=$(mkdir "$d" 2>&1); then mkdir "$d/m" && true > ${mine} && ` +
    `printf '%s\\n' ${quote(infoLine(owner))} > "$d/info" && echo '${MARK} taken'; break; fi; ` +
    // mkdir failed and there is no lock: it cannot be made here (asked thrice, as
    // one may just have been removed).
    `if [ ! -e "$d" ]; then if [ $i -ge 2 ]; then echo '${MARK} unavailable'; ` +
    `printf '%s\\n' "$e"; break; fi; ` +
    `elif ${readRun}; then if [ "$skiff_run" != ${quote(field(owner.run))} ]; then ` +
    `echo '${MARK} held'; cat "$d/info"; break; fi; ` +
    `if { true > ${mine}; } 2>/dev/null; then echo '${MARK} shared'; break; fi; fi; ` +
    // Being made or removed: wait a little. (`true >`, not `: >`: a failed redirection of
    // a special built-in ends a POSIX shell.)
    `i=$((i + 1)); if [ $i -ge 40 ]; then echo '${MARK} held'; break; fi; ` +
    `sleep 0.05 2>/dev/null || sleep 1; done`;
}

/**
 * The script that leaves the lock: removes this session's file and, when it
 * was the run's last, the lock. A lock another run holds is never touched.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * strictEqual(releaseScript("r1", "k1", { path: "/tmp/l" }).includes('rm -f "$d"/m/h.k1;'), true);
 * ```
 */
export function releaseScript(run: string, token: string, options: { path?: string } = {}): string {
  const d = quote(options.path ?? RUN_LOCK_PATH);
  return `d=${d}; { read -r skiff_run _ < "$d/info"; } 2>/dev/null && ` +
    `[ "$skiff_run" = ${quote(field(run))} ] || exit 0; rm -f "$d"/m/h.${quote(field(token))}; ` +
    `rmdir "$d/m" 2>/dev/null || exit 0; rm -rf "$d"`;
}

/**
 * Reads the acquire script's output.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * deepStrictEqual(parseAnswer("skiff-lock: taken\n"), { state: "taken" });
 * deepStrictEqual(parseAnswer("skiff-lock: held\nr ctl ann 7 t\n"), {
 *   state: "held", holder: { run: "r", controller: "ctl", user: "ann", pid: 7, started: "t" },
 * });
 * deepStrictEqual(parseAnswer("skiff-lock: unavailable\nmkdir: Read-only file system\n"), {
 *   state: "unknown", output: "mkdir: Read-only file system",
 * });
 * ```
 */
export function parseAnswer(output: string): LockAnswer {
  const lines = output.split("\n");
  const at = lines.findIndex((line) => line.startsWith(MARK));
  if (at < 0) return { state: "unknown", output: output.trim() };
  const state = lines[at].slice(MARK.length).trim();
  if (state === "taken" || state === "shared") return { state };
  if (state === "held") return { state: "held", holder: parseInfo(lines[at + 1] ?? "") };
  if (state === "unavailable") {
    return { state: "unknown", output: lines.slice(at + 1).join("\n").trim() };
  }
  return { state: "unknown", output: output.trim() };
}

/**
 * How a holder is named in messages.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * strictEqual(
 *   describeHolder({ run: "r", controller: "ctl", user: "ann", pid: 7, started: "t" }),
 *   "controller ctl, user ann, pid 7, started t",
 * );
 * ```
 */
export function describeHolder(holder: RunLockOwner | undefined): string {
  if (!holder) return "a holder that has not written its details yet";
  return `controller ${holder.controller}, user ${holder.user}, pid ${holder.pid}, started ${holder.started}`;
}
