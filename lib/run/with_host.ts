/**
 * The one host lifecycle: make the connector, connect, hand a
 * {@linkcode HostSession} to the work, disconnect on every path. `deploy`,
 * `exec` and `facts` all run hosts through it, so masking, retries and the
 * fact cache are the same everywhere.
 *
 * @module
 */

import type { BaseConnector, CommandResult, ConnectorContext } from "../../connectors/base.ts";
import type { ControlArguments } from "../core/arguments.ts";
import type { FactDefinition } from "../facts/fact.ts";
import { arch, hostname, os } from "../facts/server.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import type { InventoryHost } from "../inventory/inventory.ts";
import type { EventSink } from "./events.ts";
import { HostSession } from "./session.ts";
import { runLockAttempt, RunLockedError, type RunLockOptions } from "./_host_lock.ts";
import { RUN_LOCK_PATH } from "./run_lock.ts";

/** How long the run lock's release may wait for its answer, in seconds. */
const RELEASE_SECONDS = 10;

/** What every host lifecycle needs. */
export interface HostLifecycleOptions {
  /** Connector context (process runner, prompt). */
  context: ConnectorContext;
  /** Control arguments from CLI flags. */
  cliArguments?: ControlArguments;
  /** Where events go (`host-connected`, `host-connect-failed`, commands, output). */
  emit?: EventSink;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Waits between retries (seconds); tests pass a fast one. */
  sleep?: (seconds: number) => Promise<void>;
  /**
   * Take the host's run lock (`deploy` and apply; not `--dry`, `exec`,
   * `facts`), with the connection's first command, and release it with its last.
   */
  lock?: RunLockOptions;
  /**
   * Facts to gather right after connecting, without waiting ({@linkcode HostSession.prefetch}):
   * they travel with the work's first commands.
   */
  prefetch?: readonly FactDefinition<[], unknown>[];
  /** A dry run: the session keeps the host's predicted state. */
  dryRun?: boolean;
}

/** The facts a deploy gathers as soon as it is connected: most operations that branch ask them. */
export const FIRST_FACTS: readonly FactDefinition<[], unknown>[] = [hostname, os, arch];

/** How one host's lifecycle ended. */
export type HostOutcome<T> =
  | { ok: true; value: T; error?: undefined }
  | {
    ok: false;
    value?: T;
    error: string;
    stage: "setup" | "connect" | "lock" | "work" | "disconnect";
  };

/**
 * Runs `work` on one connected host. The connector is made and connected
 * here, the session is handed to `work`, and the connector is disconnected
 * whatever happens. Errors become an outcome with the stage that failed;
 * an {@linkcode InputError} (bad input, exit 2) is rethrown after the
 * disconnect. A failed disconnect turns a success into a failure (a
 * `docker_commit` that failed, say).
 *
 * @example
 * ```ts ignore
 * const outcome = await withHost(host, { context }, (session) => session.run("id", session.arguments()));
 * if (!outcome.ok) console.error(outcome.error);
 * ```
 */
export async function withHost<T>(
  host: InventoryHost,
  options: HostLifecycleOptions,
  work: (session: HostSession) => Promise<T>,
): Promise<HostOutcome<T>> {
  const emit = options.emit ?? (() => {});
  let session: HostSession;
  let connector: BaseConnector;
  try {
    connector = new host.connector(host, options.context);
    session = new HostSession(host, connector, {
      cliArguments: options.cliArguments,
      emit,
      signal: options.signal,
      sleep: options.sleep,
      predict: options.dryRun,
    });
  } catch (error) {
    if (error instanceof InputError) throw error;
    return { ok: false, error: errorMessage(error), stage: "setup" };
  }
  const started = performance.now();
  // The run lock rides on the connection's first command and its last: no round trip of its own.
  const lock = options.lock ? runLockAttempt(options.lock) : undefined;
  let first: CommandResult | undefined;
  try {
    // skiff's own script, no events; stopped by Ctrl-C and --host-timeout like every command.
    if (lock) {
      first = await connector.connectWith(lock.script, {
        sharedShell: true,
        signal: options.signal,
      });
    } else await session.connect();
  } catch (error) {
    const message = session.mask(errorMessage(error));
    emit({ type: "host-connect-failed", host: host.name, error: message });
    return { ok: false, error: `could not connect: ${message}`, stage: "connect" };
  }
  emit({ type: "host-connected", host: host.name, seconds: (performance.now() - started) / 1000 });
  session.prefetch(options.prefetch ?? []);
  const warn = (message: string) =>
    emit({ type: "log", host: host.name, message: `warning: ${session.mask(message)}` });
  let outcome: HostOutcome<T>;
  let rethrow: unknown;
  let release: string | undefined;
  try {
    // Stopped while taking it (Ctrl-C, --host-timeout): the work will not start either.
    if (lock && first && !options.signal?.aborted) {
      release = await lock.settle(first, { connector, warn });
    }
    outcome = { ok: true, value: await work(session) };
  } catch (error) {
    if (error instanceof InputError) rethrow = error;
    const stage = error instanceof RunLockedError ? "lock" : "work";
    outcome = { ok: false, error: session.mask(errorMessage(error)), stage };
  }
  try {
    if (release === undefined) await session.disconnect();
    else {
      const left = await connector.disconnectWith(release, {
        sharedShell: true,
        signal: AbortSignal.timeout(RELEASE_SECONDS * 1000),
      });
      if (!left.success) {
        warn(
          `could not release the run lock (${options.lock?.path ?? RUN_LOCK_PATH}): ${
            left.error ?? (left.output.stderr || `exit code ${left.exitCode}`)
          }`,
        );
      }
    }
  } catch (error) {
    const message = `disconnect failed: ${session.mask(errorMessage(error))}`;
    if (outcome.ok) {
      outcome = { ok: false, value: outcome.value, error: message, stage: "disconnect" };
    }
  }
  if (rethrow !== undefined) throw rethrow;
  return outcome;
}
