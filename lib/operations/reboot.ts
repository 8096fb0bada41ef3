/**
 * `server.reboot`: reboots a host, reconnects and lets the deploy carry on.
 * The host counts as back when a command runs and reports a new boot id.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { errorMessage, InputError, OperationError } from "../core/errors.ts";
import { type OpContext, ResultBuilder } from "./context.ts";

const BOOT_ID = "cat /proc/sys/kernel/random/boot_id";

/** What {@linkcode waitForReboot} needs of a host: a host session, or a connector in tests. */
export interface Reconnectable {
  /** Connects again. */
  connect(): Promise<void>;
  /** Drops the connection. */
  disconnect(): Promise<void>;
  /** Runs a command on the current connection. */
  run(
    command: string,
    args: ControlArguments,
  ): Promise<{ success: boolean; output: { stdout: string } }>;
}

/** How {@linkcode waitForReboot} waits. */
export interface RebootWait {
  /** The boot id before the reboot. */
  bootId: string;
  /** Give up after this many seconds. */
  timeoutSeconds: number;
  /** Seconds between attempts. */
  intervalSeconds: number;
  /** Waits; tests pass a fast one. */
  sleep?: (seconds: number) => Promise<void>;
}

/**
 * Disconnects, then tries to connect every `intervalSeconds` until a
 * connection answers with a boot id different from `bootId`. Returns the
 * number of attempts; throws an OperationError after `timeoutSeconds`.
 */
export async function waitForReboot(
  connector: Reconnectable,
  host: string,
  wait: RebootWait,
): Promise<number> {
  const sleep = wait.sleep ??
    ((seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000)));
  await connector.disconnect();
  let waited = 0;
  let attempts = 0;
  let last = "it did not answer";
  while (waited < wait.timeoutSeconds) {
    await sleep(wait.intervalSeconds);
    waited += wait.intervalSeconds;
    attempts++;
    try {
      await connector.connect();
    } catch (error) {
      last = `connect failed: ${errorMessage(error)}`;
      continue;
    }
    const result = await connector.run(BOOT_ID, { _timeout: 10 }).catch(() => null);
    const bootId = result?.success ? result.output.stdout.trim() : "";
    if (bootId !== "" && bootId !== wait.bootId) return attempts;
    last = bootId === wait.bootId ? "it had not rebooted yet" : "it did not run a command";
    await connector.disconnect();
  }
  throw new OperationError(
    `server.reboot: ${host} did not come back within ${wait.timeoutSeconds} s (${last})`,
  );
}

/** `server.reboot({waitSeconds, delaySeconds})`: always a change. */
export async function reboot(
  ctx: OpContext,
  options: { waitSeconds?: number; delaySeconds?: number },
): Promise<OperationResult> {
  const waitSeconds = options.waitSeconds ?? 300;
  const delay = options.delaySeconds ?? 1;
  if (typeof waitSeconds !== "number" || waitSeconds <= 0) {
    throw new InputError("server.reboot: waitSeconds must be a positive number");
  }
  if (typeof delay !== "number" || delay < 0) {
    throw new InputError("server.reboot: delaySeconds must be zero or more");
  }
  const builder = new ResultBuilder();
  builder.change(`rebooted ${ctx.session.name}`);
  if (ctx.dryRun) return builder.done("");
  const before = await ctx.session.runChecked(BOOT_ID, ctx.control);
  builder.record(before);
  const trigger = sh`nohup sh -c ${`sleep ${delay} && reboot`} >/dev/null 2>&1 &`;
  builder.record(await ctx.session.runChecked(trigger, ctx.control));
  const attempts = await waitForReboot(ctx.session, ctx.session.name, {
    bootId: before.output.stdout.trim(),
    timeoutSeconds: waitSeconds,
    intervalSeconds: Math.min(5, waitSeconds),
  });
  ctx.session.invalidateFacts();
  builder.record({
    masked: `reconnected after ${attempts} attempt(s)`,
    output: { stdout: "", stderr: "" },
  });
  return builder.done("");
}
