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
import type { InventoryHost } from "../inventory/inventory.ts";
import { OPERATIONS, splitCall } from "../operations/registry.ts";
import { labelOf } from "../operations/subject.ts";
import { userCall } from "../operations/user_ops.ts";
import { operationCaller } from "./operation_caller.ts";
import {
  type LocalPathPolicy,
  LocalPathRefusal,
  MissingLocalSource,
} from "../operations/local_paths.ts";
import type { LocalFileCache } from "../operations/local_files.ts";
import type { HostCounts, RunEvent } from "./events.ts";
import { restrictionReason } from "../inventory/restrictions.ts";
import type { HostSession } from "./session.ts";
import { FIRST_FACTS, withHost } from "./with_host.ts";
import { firstDeployFrame } from "./deploy_frame.ts";
import { interruptible } from "./interruptible.ts";
import { conditionHolds } from "./condition_holds.ts";
import type { Coordinator } from "./coordinator.ts";
import { coordinate } from "./coordinate_call.ts";
import type { RunRequest } from "./request.ts";
import type { RunLockOptions } from "./_host_lock.ts";
import { HostPlan } from "./plan/host_plan.ts";
import { outcomeOf, PlanDrift } from "./plan/drift.ts";

/** What one host's run shares with the others. */
export interface HostRunShared {
  sandbox: DeploySandbox;
  coordinator: Coordinator;
  /** Which local paths operations may read and write. */
  policy: LocalPathPolicy;
  /** The local files operations read: small ones once per run, large ones hashed once. */
  files: LocalFileCache;
  /** The run lock every host takes (absent under `--dry`). */
  lock?: RunLockOptions;
}

export { dirOf } from "./operation_caller.ts";

/**
 * How one host's run ended; `refused` when an operation was refused a local
 * path, `inputError` when a local source it was given does not exist (the
 * whole message, said once for the run).
 */
export interface HostRunResult {
  ok: boolean;
  counts: HostCounts;
  error?: string;
  refused?: boolean;
  inputError?: string;
}

/** What made a host's failure the deploy's input error rather than the host's. */
interface InputFault {
  refused: boolean;
  inputError?: string;
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
  const refusal: InputFault = { refused: false };
  const plan = new HostPlan(host.name, {
    recorder: request.recorder,
    planned: request.applying && (request.applying.get(host.name) ?? []),
  });
  const lifecycle = { ...request, lock: shared.lock, prefetch: FIRST_FACTS };
  const outcome = await withHost(host, lifecycle, async (session) => {
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
      const error = await runDeploy(session, {
        deploy,
        index,
        counts,
        request,
        shared,
        refusal,
        plan,
      });
      if (error !== undefined) return error;
    }
    return plan.finish();
  });
  const fault = { refused: refusal.refused, inputError: refusal.inputError };
  if (!outcome.ok) return { ok: false, counts, error: outcome.value ?? outcome.error, ...fault };
  return outcome.value === undefined
    ? { ok: true, counts }
    : { ok: false, counts, error: outcome.value, ...fault };
}

async function runDeploy(
  session: HostSession,
  { deploy, index, counts, request, shared, refusal, plan }: {
    deploy: LoadedDeploy;
    index: number;
    counts: HostCounts;
    request: RunRequest;
    shared: HostRunShared;
    refusal: InputFault;
    /** Numbers operations; records them for a plan, or checks them against one. */
    plan: HostPlan;
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
    signal: request.signal,
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
      const defined = kind === "userop" ? userCall(args) : undefined;
      const subject = session.mask(defined?.label ?? labelOf(name, args));
      const opIndex = plan.next();
      if (plan.drift !== undefined) throw new PlanDrift(plan.drift);
      const where = { ...(site === undefined ? {} : { site }), index: opIndex };
      const control = defined?.control ??
        (OPERATIONS[name] ? splitCall(name, OPERATIONS[name], args).control : {});
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
        const now = { op: name, subject, description: result.description };
        const drift = plan.check(opIndex, { ...now, outcome: skipped ? "skipped" : "ran once" });
        if (drift !== undefined) throw stopped(drift, { op: name, subject, where, started: 0 });
        plan.record({
          ...now,
          index: opIndex,
          deploy: deploy.name,
          ...(site === undefined ? {} : { site }),
          outcome: skipped ? "skipped" : "ran once",
          commands: [],
        });
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
      const run = () => track(runOperation(name, args, { subject, ...where, defined }));
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
  /** Stops the host at operation `op`, which differs from the plan: it fails, nothing of it runs. */
  const stopped = (
    message: string,
    { op, subject, where, started }: {
      op: string;
      subject: string;
      where: { site?: string; index: number };
      started: number;
    },
  ): PlanDrift => {
    counts.failed++;
    failure ??= message;
    emit({
      type: "op-result",
      host: hostName,
      op,
      subject,
      ...where,
      changed: false,
      success: false,
      description: "drift",
      error: message,
      drift: true,
      seconds: started === 0 ? 0 : (performance.now() - started) / 1000,
    });
    return new PlanDrift(message);
  };
  const runOperation = async (
    name: string,
    args: unknown[],
    { subject, site, index: opIndex, defined }: {
      subject: string;
      site?: string;
      index: number;
      defined?: ReturnType<typeof userCall>;
    },
  ): Promise<OperationResult> => {
    const started = performance.now();
    const where = { ...(site === undefined ? {} : { site }), index: opIndex };
    emit({ type: "op-start", host: hostName, op: name, subject, ...where });
    const call = operationCaller(session, name, args, {
      defined,
      deploy,
      deployDefaults,
      policy: shared.policy,
      files: shared.files,
      config: request.inventory.config,
      plan,
    });
    try {
      if (plan.applying) {
        // What it would do now, against the live host, before anything of it happens.
        const preview = await call(true, true);
        const drift = plan.check(opIndex, {
          op: name,
          subject,
          outcome: outcomeOf(preview),
          description: session.mask(preview.description),
          ...(preview.diff ? { diff: session.mask(preview.diff) } : {}),
        });
        if (drift !== undefined) throw stopped(drift, { op: name, subject, where, started });
      }
      const result = await call(request.dryRun, request.wantDiff);
      if (!result.success) counts.failed++;
      else if (result.changed) counts.changed++;
      else counts.ok++;
      if (result.diff) result.diff = session.mask(result.diff);
      result.description = session.mask(result.description);
      plan.record({
        index: opIndex,
        deploy: deploy.name,
        op: name,
        subject,
        ...(site === undefined ? {} : { site }),
        outcome: outcomeOf(result),
        description: result.description,
        commands: result.commands.map((command) => session.mask(command)),
        ...(result.diff ? { diff: result.diff } : {}),
      });
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
      if (error instanceof PlanDrift) throw error;
      counts.failed++;
      if (error instanceof LocalPathRefusal) refusal.refused = true;
      if (error instanceof MissingLocalSource) refusal.inputError ??= session.mask(error.message);
      const message = session.mask(
        error instanceof MissingLocalSource ? error.short : errorMessage(error),
      );
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
    return plan.drift;
  } catch (error) {
    if (failure !== undefined) return failure;
    const where = error instanceof DeployFailure && error.workerStack
      ? firstDeployFrame(error.workerStack, deploy.path)
      : "";
    return session.mask(`deploy ${deploy.name} threw ${errorMessage(error)}${where}`);
  }
}

function pick(
  result: OperationResult,
): Pick<
  RunEvent & { type: "op-result" },
  "changed" | "success" | "description" | "diff" | "dependsOnEarlierChange"
> {
  const { changed, success, description, diff, dependsOnEarlierChange: depends } = result;
  return {
    changed,
    success,
    description,
    ...(diff !== undefined ? { diff } : {}),
    ...(depends ? { dependsOnEarlierChange: true } : {}),
  };
}
