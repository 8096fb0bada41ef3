/**
 * Taking and leaving the run lock over a connected connector, for
 * {@linkcode withHost}: the lock's scripts are skiff's own, run without
 * privilege wrapping and without events.
 *
 * @module
 */

import type { BaseConnector } from "../../connectors/base.ts";
import { errorMessage } from "../core/errors.ts";
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
  /**
   * Runs the lock's steps of this run's hosts one at a time (two inventory
   * names for one machine must not race each other); absent: no queue.
   */
  serial?: <T>(step: () => Promise<T>) => Promise<T>;
}

/**
 * A queue that runs steps one after another, each after the last settled.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * const serial = serialQueue();
 * const order: number[] = [];
 * const slow = serial(async () => { await new Promise((r) => setTimeout(r, 20)); order.push(1); });
 * const fast = serial(async () => { order.push(2); });
 * await Promise.all([slow, fast]);
 * deepStrictEqual(order, [1, 2]);
 * ```
 */
export function serialQueue(): <T>(step: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>): Promise<T> => {
    const next = tail.then(step, step);
    tail = next.catch(() => {});
    return next;
  };
}

/** A host that another run holds: the host fails with this message. */
export class RunLockedError extends Error {
  override name = "RunLockedError";
}

/**
 * Takes the lock on a connected host; returns the release function. Throws
 * {@linkcode RunLockedError} when another live run holds it; a stale one
 * (its holder ran on this controller and its pid is gone) is taken over and
 * `warn` says so. When the host cannot run the script at all, `warn` says so
 * and the run goes on without a lock.
 */
export function takeRunLock(
  connector: BaseConnector,
  lock: RunLockOptions,
  warn: (message: string) => void,
): Promise<() => Promise<void>> {
  const serial = lock.serial ?? ((step) => step());
  return serial(async () => {
    const release = await acquire(connector, lock, warn);
    return () => serial(release);
  });
}

async function acquire(
  connector: BaseConnector,
  lock: RunLockOptions,
  warn: (message: string) => void,
): Promise<() => Promise<void>> {
  const token = crypto.randomUUID().slice(0, 8);
  const path = lock.path ?? RUN_LOCK_PATH;
  const run = async (script: string) =>
    (await connector.runShellCommand(script, { sharedShell: true })).output.stdout;
  let answer = parseAnswer(await run(acquireScript(lock.owner, token, { path })));
  // A lock just made (perhaps by another session of this run) has no info yet.
  for (let tries = 0; answer.state === "held" && !answer.holder && tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    answer = parseAnswer(await run(acquireScript(lock.owner, token, { path })));
  }
  if (
    answer.state === "held" && answer.holder &&
    answer.holder.controller === lock.owner.controller && !await lock.alive(answer.holder.pid)
  ) {
    warn(
      `took over a stale run lock (${path}) of ${describeHolder(answer.holder)}: ` +
        `that process is gone`,
    );
    answer = parseAnswer(
      await run(acquireScript(lock.owner, token, { path, staleRun: answer.holder.run })),
    );
  }
  if (answer.state === "held") {
    throw new RunLockedError(
      `Another skiff run holds this host (${describeHolder(answer.holder)}): ` +
        `wait for it, or remove ${path} on the host if that run is gone`,
    );
  }
  if (answer.state === "unknown") {
    warn(`could not take the run lock (${path}), running without it: ${answer.output}`);
    return () => Promise.resolve();
  }
  return async () => {
    try {
      await run(releaseScript(lock.owner.run, token, { path }));
    } catch (error) {
      warn(`could not release the run lock (${path}): ${errorMessage(error)}`);
    }
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
    serial: serialQueue(),
    path: Deno.env.get("SKIFF_RUN_LOCK") || undefined,
  };
}
