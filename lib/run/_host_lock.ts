/**
 * Taking and leaving the run lock, for {@linkcode withHost}: the acquire
 * script is the connection's first command (`connectWith`) and the release
 * its last (`disconnectWith`), so the lock costs no round trip of its own.
 * The lock's scripts are skiff's own, run without privilege wrapping and
 * without events.
 *
 * @module
 */

import type { BaseConnector, CommandResult } from "../../connectors/base.ts";
import type { ProcessRunner } from "../process.ts";
import {
  acquireScript,
  describeHolder,
  parseAnswer,
  releaseScript,
  RUN_LOCK_PATH,
  type RunLockOwner,
} from "./run_lock.ts";

/** What a deploy run's hosts lock with. */
export interface RunLockOptions {
  /** This run. */
  owner: RunLockOwner;
  /** Whether a pid is alive on this controller (a stale lock's holder is not). */
  alive: (pid: number) => Promise<boolean>;
  /** Where the lock lives (tests use their own). */
  path?: string;
}

/** A host that another run holds: the host fails with this message. */
export class RunLockedError extends Error {
  override name = "RunLockedError";
}

/** One session's attempt at the lock: the first command to send, then what to make of its answer. */
export interface RunLockAttempt {
  /** The acquire script: send it as the connection's first command. */
  readonly script: string;
  /**
   * Reads the acquire script's result. Returns the release script to send
   * as the connection's last command, or undefined when the host runs
   * without a lock (`warn` said why). Throws {@linkcode RunLockedError}
   * when another live run holds the lock; a stale one (its holder ran on
   * this controller and its pid is gone) is taken over, with one more
   * command, and `warn` says so.
   */
  settle(
    first: CommandResult,
    host: { connector: BaseConnector; warn: (message: string) => void },
  ): Promise<string | undefined>;
}

/**
 * Prepares one session's attempt at the lock.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { thisRun } from "./_host_lock.ts";
 * const attempt = runLockAttempt({ owner: thisRun(), alive: () => Promise.resolve(true) });
 * strictEqual(attempt.script.includes("/tmp/skiff-run.lock"), true);
 * ```
 */
export function runLockAttempt(lock: RunLockOptions): RunLockAttempt {
  const token = crypto.randomUUID().slice(0, 8);
  const path = lock.path ?? RUN_LOCK_PATH;
  return {
    script: acquireScript(lock.owner, token, { path }),
    async settle(first, { connector, warn }) {
      let answer = parseAnswer(first.output.stdout);
      if (
        answer.state === "held" && answer.holder &&
        answer.holder.controller === lock.owner.controller && !await lock.alive(answer.holder.pid)
      ) {
        warn(
          `took over a stale run lock (${path}) of ${describeHolder(answer.holder)}: ` +
            `that process is gone`,
        );
        const script = acquireScript(lock.owner, token, { path, staleRun: answer.holder.run });
        const result = await connector.runShellCommand(script, { sharedShell: true });
        answer = parseAnswer(result.output.stdout);
      }
      if (answer.state === "held") {
        throw new RunLockedError(
          `Another skiff run holds this host (${describeHolder(answer.holder)}): ` +
            `wait for it, or remove ${path} on the host if that run is gone`,
        );
      }
      if (answer.state === "unknown") {
        const why = answer.output || first.error || `exit code ${first.exitCode}`;
        warn(`could not take the run lock (${path}), running without it: ${why}`);
        return undefined;
      }
      return releaseScript(lock.owner.run, token, { path });
    },
  };
}

/**
 * Whether `pid` is alive on this machine, asked of `sh` (`kill -0`; a
 * process of another user counts as alive). Deno itself may not read `/proc`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { runProcess } from "../process.ts";
 * strictEqual(await pidAlive(Deno.pid, runProcess), true);
 * ```
 */
export async function pidAlive(pid: number, runProcess: ProcessRunner): Promise<boolean> {
  const script = `kill -0 "$1" 2>/dev/null && exit 0; ` +
    `case $(kill -0 "$1" 2>&1) in *ermitted*) exit 0;; esac; exit 1`;
  const result = await runProcess(["sh", "-c", script, "sh", String(pid)]);
  return result.exitCode === 0;
}

/**
 * This run as a lock owner: a fresh run id, this machine's host name, the
 * user, this process and now.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * strictEqual(thisRun().pid, Deno.pid);
 * ```
 */
export function thisRun(): RunLockOwner {
  return {
    run: crypto.randomUUID().slice(0, 13),
    controller: Deno.hostname(),
    user: Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? `uid-${Deno.uid() ?? "?"}`,
    pid: Deno.pid,
    started: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

/**
 * The lock a deploy takes by default: this run, pids checked in `/proc`, at
 * `$SKIFF_RUN_LOCK` on every host when the controller's environment sets it
 * (tests keep their runs apart this way), else {@linkcode RUN_LOCK_PATH}.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { runProcess } from "../process.ts";
 * strictEqual(defaultRunLock(runProcess).owner.pid, Deno.pid);
 * ```
 */
export function defaultRunLock(runProcess: ProcessRunner): RunLockOptions {
  return {
    owner: thisRun(),
    alive: (pid) => pidAlive(pid, runProcess),
    path: Deno.env.get("SKIFF_RUN_LOCK") || undefined,
  };
}
