/**
 * One host's run: its deploys in order through the sandbox, answering their
 * operation, fact and coordination calls (barriers, run-once, shared values,
 * handlers, the linear strategy) and emitting masked events.
 *
 * @module
 */

import { validateControlArguments } from "../core/arguments.ts";
import { DeployFailure, type DeploySandbox, type LoadedDeploy } from "../sandbox/deploy_sandbox.ts";
import type { CallKind } from "../sandbox/protocol.ts";
import type { OperationResult } from "../api/mod.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { FACTS } from "../facts/registry.ts";
import { arch, hostname, os } from "../facts/server.ts";
import type { InventoryHost } from "../inventory/inventory.ts";
import { callOperation, OPERATIONS, splitCall } from "../operations/registry.ts";
import { labelOf } from "../operations/subject.ts";
import { type LocalPathPolicy, LocalPathRefusal } from "../operations/local_paths.ts";
import type { HostCounts, RunEvent } from "./events.ts";
import { restrictionReason } from "../inventory/restrictions.ts";
import type { HostSession } from "./session.ts";
import { withHost } from "./with_host.ts";
import type { Coordinator } from "./coordinator.ts";
import { coordinate } from "./coordinate_call.ts";
import type { RunRequest } from "./request.ts";
import type { RunLockOptions } from "./_host_lock.ts";

/** What one host's run shares with the others. */
export interface HostRunShared {
  sandbox: DeploySandbox;
  coordinator: Coordinator;
  /** Which local paths operations may read and write. */
  policy: LocalPathPolicy;
  /** The run lock every host takes (absent under `--dry`). */
  lock?: RunLockOptions;
}

/** The directory of a path. */
export function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** How one host's run ended; `refused` when an operation was refused a local path. */
export interface HostRunResult {
  ok: boolean;
  counts: HostCounts;
  error?: string;
  refused?: boolean;
}

/**
 * Runs every deploy on `host`, one after another, through {@linkcode withHost}.
 * Past `hostTimeout` seconds the host is stopped as Ctrl-C stops a run (its
 * commands are killed, its deploy no longer waited for) and fails.
 */
export async function runHost(
  host: InventoryHost,
  request: RunRequest,
  shared: HostRunShared,
): Promise<HostRunResult> {
  if (request.hostTimeout === undefined) return await runHostOnce(host, request, shared);
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(), request.hostTimeout * 1000);
  const signals = request.signal ? [request.signal, timer.signal] : [timer.signal];
  try {
    const result = await runHostOnce(
      host,
      { ...request, signal: AbortSignal.any(signals) },
      shared,
    );
    if (!timer.signal.aborted || request.signal?.aborted) return result;
    return {
      ...result,
      ok: false,
      error: `did not finish within ${request.hostTimeout} s (--host-timeout): stopped`,
    };
  } finally {
    clearTimeout(timeout);
  }
}

async function runHostOnce(
  host: InventoryHost,
  request: RunRequest,
  shared: HostRunShared,
): Promise<HostRunResult> {
  const { sandbox, coordinator } = shared;
  const counts: HostCounts = { ok: 0, changed: 0, failed: 0, skipped: 0 };
  const refusal = { refused: false };
  const prefetch = [hostname, os, arch] as const;
  const outcome = await withHost(
    host,
    { ...request, lock: shared.lock, prefetch },
    async (session) => {
      for (const [index, deploy] of sandbox.deploys.entries()) {
        if (request.signal?.aborted) return "interrupted";
        const reason = restrictionReason(request.inventory.restrictions, host.name, deploy.name);
        if (reason !== null) {
          counts.skipped++;
          request.emit({ type: "deploy-skipped", host: host.name, deploy: deploy.name, reason });
          continue;
        }
        coordinator.enterDeploy(host.name, index);
        request.emit({ type: "deploy-start", host: host.name, deploy: deploy.name });
        const error = await runDeploy(session, { deploy, index, counts, request, shared, refusal });
        if (error !== undefined) return error;
      }
      return undefined;
    },
  );
  const refused = refusal.refused;
  if (!outcome.ok) return { ok: false, counts, error: outcome.value ?? outcome.error, refused };
  return outcome.value === undefined
    ? { ok: true, counts }
    : { ok: false, counts, error: outcome.value, refused };
}

async function runDeploy(
  session: HostSession,
  { deploy, index, counts, request, shared, refusal }: {
    deploy: LoadedDeploy;
    index: number;
    counts: HostCounts;
    request: RunRequest;
    shared: HostRunShared;
    refusal: { refused: boolean };
  },
): Promise<string | undefined> {
  const { sandbox, coordinator } = shared;
  const runOnceSeen = new Map<string, number>();
  const emit = request.emit;
  const hostName = session.name;
  const deployDefaults = validateControlArguments(
    deploy.defaults,
    `Deploy ${deploy.name} defaults`,
  );
  let failure: string | undefined;
  const inFlight = new Set<Promise<unknown>>();
  /** Remembers a call that runs commands until it settles (Ctrl-C waits for it). */
  const track = <T>(running: Promise<T>): Promise<T> => {
    inFlight.add(running);
    running.finally(() => inFlight.delete(running)).catch(() => {});
    return running;
  };
  const handler = {
    log: (message: string) => emit({ type: "log", host: hostName, message: session.mask(message) }),
    call: async (
      kind: CallKind,
      name: string,
      args: unknown[],
      site?: string,
    ): Promise<unknown> => {
      if (request.signal?.aborted) throw new Error("Interrupted");
      if (kind === "coord") {
        return await coordinate(name, args, { coordinator, host: hostName, emit });
      }
      if (kind === "fact") {
        const definition = FACTS[name];
        if (!definition) throw new InputError(`Unknown fact "${name}"`);
        return await track(session.fact(definition, ...args));
      }
      const subject = session.mask(labelOf(name, args));
      const where = site === undefined ? {} : { site };
      const control = OPERATIONS[name] ? splitCall(name, OPERATIONS[name], args).control : {};
      /** A result without running: skipped by `_if`, or run once on host `ranOn`. */
      const notRun = (ranOn?: string): OperationResult => {
        const skipped = ranOn === undefined;
        const result: OperationResult = {
          changed: false,
          success: true,
          description: skipped ? "skipped: _if is false" : `ran once on ${ranOn}`,
          commands: [],
          stdout: "",
          stderr: "",
        };
        if (skipped) counts.skipped++;
        else counts.ok++;
        emit({
          type: "op-result",
          host: hostName,
          op: name,
          subject,
          ...where,
          ...pick(result),
          ...(skipped ? { skipped } : { ranOn }),
          seconds: 0,
        });
        return result;
      };
      await coordinator.beforeOperation(hostName);
      if (!(await conditionHolds(control._if))) return notRun();
      const run = () => track(runOperation(name, args, { subject, ...where }));
      if (control._run_once !== true) return await run();
      const nth = (runOnceSeen.get(name) ?? 0) + 1;
      runOnceSeen.set(name, nth);
      const key = `op\0${index}\0${name}\0${nth}`;
      const once = await coordinator.once(key, run, {
        host: hostName,
        label: `${name} ${subject}`.trim(),
      });
      if (once.host === hostName) return once.value;
      return notRun(once.host);
    },
  };
  const runOperation = async (
    name: string,
    args: unknown[],
    { subject, site }: { subject: string; site?: string },
  ): Promise<OperationResult> => {
    const started = performance.now();
    const where = site === undefined ? {} : { site };
    emit({ type: "op-start", host: hostName, op: name, subject, ...where });
    try {
      const result = await callOperation(session, name, args, {
        dryRun: request.dryRun,
        wantDiff: request.wantDiff,
        deployDefaults,
        local: {
          policy: shared.policy,
          base: dirOf(deploy.path),
          deploy: deploy.name,
          read: (path) => readOnce(deploy, path),
        },
        config: request.inventory.config,
      });
      if (!result.success) counts.failed++;
      else if (result.changed) counts.changed++;
      else counts.ok++;
      if (result.diff) result.diff = session.mask(result.diff);
      emit({
        type: "op-result",
        host: hostName,
        op: name,
        subject,
        ...where,
        ...pick(result),
        seconds: (performance.now() - started) / 1000,
      });
      return result;
    } catch (error) {
      counts.failed++;
      if (error instanceof LocalPathRefusal) refusal.refused = true;
      const message = session.mask(errorMessage(error));
      failure ??= `${name}${subject ? ` ${subject}` : ""}: ${message}`;
      emit({
        type: "op-result",
        host: hostName,
        op: name,
        subject,
        ...where,
        changed: false,
        success: false,
        description: "failed",
        error: message,
        seconds: (performance.now() - started) / 1000,
      });
      throw error;
    }
  };
  try {
    await interruptible(
      sandbox.run(index, {
        host: { name: hostName, data: session.host.data, groups: [...session.host.groups] },
        config: request.inventory.config,
        dryRun: request.dryRun,
        forceHandlers: request.forceHandlers,
      }, handler),
      { signal: request.signal, inFlight },
    );
    return undefined;
  } catch (error) {
    if (failure !== undefined) return failure;
    const where = error instanceof DeployFailure && error.workerStack
      ? firstDeployFrame(error.workerStack, deploy.path)
      : "";
    return session.mask(`deploy ${deploy.name} threw ${errorMessage(error)}${where}`);
  }
}

/**
 * `promise`, or on Ctrl-C an "Interrupted" rejection once the calls in
 * flight have settled (they stop their remote commands): a deploy busy in
 * its own code, or waiting, does not hold the run.
 */
function interruptible<T>(
  promise: Promise<T>,
  { signal, inFlight }: { signal?: AbortSignal; inFlight: Set<Promise<unknown>> },
): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      void Promise.allSettled([...inFlight]).then(() => reject(new Error("Interrupted")));
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * `_if`: absent runs the operation; a function (called back in the deploy's
 * sandbox) or a value runs it when truthy; a list (pyinfra's form) when every
 * item holds. The one place `_if` is decided.
 */
async function conditionHolds(condition: unknown): Promise<boolean> {
  if (condition === undefined) return true;
  if (Array.isArray(condition)) {
    for (const item of condition) if (!(await conditionHolds(item))) return false;
    return true;
  }
  return Boolean(typeof condition === "function" ? await condition() : condition);
}

/** Reads a local file for a deploy once per run, whatever the number of hosts. */
function readOnce(deploy: LoadedDeploy, path: string): Promise<Uint8Array> {
  let bytes = deploy.localFiles.get(path);
  if (!bytes) {
    bytes = Deno.readFile(path);
    deploy.localFiles.set(path, bytes);
    bytes.catch(() => deploy.localFiles.delete(path));
  }
  return bytes;
}

function pick(
  result: OperationResult,
): Pick<RunEvent & { type: "op-result" }, "changed" | "success" | "description" | "diff"> {
  const out: { changed: boolean; success: boolean; description: string; diff?: string } = {
    changed: result.changed,
    success: result.success,
    description: result.description,
  };
  if (result.diff !== undefined) out.diff = result.diff;
  return out;
}

/** skiff's own modules: a deploy beside them never takes their frames for its own. */
const SKIFF_SOURCE = new URL("../", import.meta.url).href;

/**
 * ` at FILE:LINE:COLUMN` of the first frame in a module under the deploy's
 * directory (the deploy or a helper it imports), where the error happened;
 * empty when no frame is there.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { firstDeployFrame } from "./host_run.ts";
 * const stack = "SyntaxError: bad\n    at JSON.parse (<anonymous>)\n" +
 *   "    at settings (file:///srv/d/lib/helper.ts:2:15)\n    at default (file:///srv/d/deploy.ts:4:3)";
 * deepStrictEqual(firstDeployFrame(stack, "/srv/d/deploy.ts"), " at /srv/d/lib/helper.ts:2:15");
 * ```
 */
export function firstDeployFrame(stack: string, path: string): string {
  const under = `file://${dirOf(path).replace(/\/$/, "")}/`;
  for (const frame of stack.split("\n")) {
    const match = /(file:\/\/[^\s)]+):(\d+):(\d+)/.exec(frame);
    if (match && match[1].startsWith(under) && !match[1].startsWith(SKIFF_SOURCE)) {
      return ` at ${decodeURIComponent(match[1].slice("file://".length))}:${match[2]}:${match[3]}`;
    }
  }
  return "";
}
