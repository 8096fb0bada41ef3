/**
 * The runner: connects hosts with a bounded pool, runs each host's deploys in
 * order through the sandbox, answers their operation and fact calls, and
 * emits events. Every connection is closed at the end.
 *
 * @module
 */

import type { ConnectorContext } from "../../connectors/base.ts";
import { type ControlArguments, validateControlArguments } from "../core/arguments.ts";
import { DeployFailure, DeploySandbox, type LoadedDeploy } from "../sandbox/deploy_sandbox.ts";
import type { OperationResult } from "../api/mod.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { FACTS } from "../facts/registry.ts";
import type { Inventory, InventoryHost } from "../inventory/inventory.ts";
import { callOperation, OPERATIONS, splitCall, subjectOf } from "../operations/registry.ts";
import { LocalPathPolicy, LocalPathRefusal } from "../operations/local_paths.ts";
import { mapPool } from "./pool.ts";
import type { EventSink, HostCounts, RunEvent } from "./events.ts";
import { restrictionReason, type Restrictions } from "../inventory/restrictions.ts";
import type { HostSession } from "./session.ts";
import { withHost } from "./with_host.ts";

/** What a deploy run needs. */
export interface RunRequest {
  /** The hosts (and fleet configuration). */
  inventory: Inventory & { restrictions?: Restrictions };
  /** Absolute paths of the deploy modules, in order. */
  deployPaths: readonly string[];
  /** Control arguments from CLI flags. */
  cliArguments: ControlArguments;
  /** Report what would change and change nothing. */
  dryRun: boolean;
  /** Compute diffs. */
  wantDiff: boolean;
  /** Hosts at once. */
  parallel: number;
  /** Stop starting hosts once more than this percentage failed. */
  failPercent?: number;
  /** Connector context. */
  context: ConnectorContext;
  /** Where events go. */
  emit: EventSink;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Extra paths deploys and their operations may read (`--allow-read`, fleet `allow_read`). */
  allowRead?: readonly string[];
  /** Paths operations may write on the controller (`--allow-write`, fleet `allow_write`). */
  allowWrite?: readonly string[];
  /** An already started sandbox (the CLI reuses one for the confirm-then-apply flow). */
  sandbox?: DeploySandbox;
}

/** How the run ended. */
export interface RunOutcome {
  /** Hosts that failed. */
  failed: number;
  /** The run was interrupted. */
  interrupted: boolean;
  /** Hosts that failed because an operation was refused a local path (exit code 2). */
  refused: number;
  /** Per-host results. */
  hosts: { host: string; ok: boolean; counts: HostCounts; seconds: number; error?: string }[];
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** What runs need besides the request: the sandbox and the local-path policy. */
interface RunTools {
  sandbox: DeploySandbox;
  policy: LocalPathPolicy;
}

interface HostRun {
  ok: boolean;
  counts: HostCounts;
  error?: string;
  refused?: boolean;
}

async function runHost(
  host: InventoryHost,
  request: RunRequest,
  tools: RunTools,
): Promise<HostRun> {
  const { sandbox } = tools;
  let refused = false;
  const counts: HostCounts = { ok: 0, changed: 0, failed: 0, skipped: 0 };
  const outcome = await withHost(host, request, async (session) => {
    for (const [index, deploy] of sandbox.deploys.entries()) {
      if (request.signal?.aborted) return "interrupted";
      const reason = restrictionReason(request.inventory.restrictions, host.name, deploy.name);
      if (reason !== null) {
        counts.skipped++;
        request.emit({ type: "deploy-skipped", host: host.name, deploy: deploy.name, reason });
        continue;
      }
      request.emit({ type: "deploy-start", host: host.name, deploy: deploy.name });
      const error = await runDeploy(session, deploy, index, request, tools, counts);
      if (error !== undefined) {
        refused = error.refused;
        return error.message;
      }
    }
    return undefined;
  });
  if (!outcome.ok) return { ok: false, counts, error: outcome.value ?? outcome.error, refused };
  return outcome.value === undefined
    ? { ok: true, counts }
    : { ok: false, counts, error: outcome.value, refused };
}

async function runDeploy(
  session: HostSession,
  deploy: LoadedDeploy,
  index: number,
  request: RunRequest,
  tools: RunTools,
  counts: HostCounts,
): Promise<{ message: string; refused: boolean } | undefined> {
  const emit = request.emit;
  let refused = false;
  const hostName = session.name;
  const deployDefaults = validateControlArguments(
    deploy.defaults,
    `Deploy ${deploy.name} defaults`,
  );
  let failure: string | undefined;
  const handler = {
    log: (message: string) => emit({ type: "log", host: hostName, message: session.mask(message) }),
    call: async (kind: "op" | "fact", name: string, args: unknown[]): Promise<unknown> => {
      if (request.signal?.aborted) throw new Error("Interrupted");
      if (kind === "fact") {
        const definition = FACTS[name];
        if (!definition) throw new InputError(`Unknown fact "${name}"`);
        return await session.fact(definition, ...args);
      }
      const subject = subjectOf(name, args);
      const started = performance.now();
      if (OPERATIONS[name]) {
        const { control } = splitCall(name, OPERATIONS[name], args);
        if (!(await conditionHolds(control._if))) {
          counts.skipped++;
          const skipped: OperationResult = {
            changed: false,
            success: true,
            description: "skipped: _if is false",
            commands: [],
            stdout: "",
            stderr: "",
          };
          emit({
            type: "op-result",
            host: hostName,
            op: name,
            subject,
            ...pick(skipped),
            skipped: true,
            seconds: 0,
          });
          return skipped;
        }
      }
      emit({ type: "op-start", host: hostName, op: name, subject });
      try {
        const result = await callOperation(session, name, args, {
          dryRun: request.dryRun,
          wantDiff: request.wantDiff,
          deployDefaults,
          local: {
            policy: tools.policy,
            base: dirOf(deploy.path),
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
          ...pick(result),
          seconds: (performance.now() - started) / 1000,
        });
        return result;
      } catch (error) {
        counts.failed++;
        if (error instanceof LocalPathRefusal) refused = true;
        const message = session.mask(errorMessage(error));
        failure ??= `${name}${subject ? ` ${subject}` : ""}: ${message}`;
        emit({
          type: "op-result",
          host: hostName,
          op: name,
          subject,
          changed: false,
          success: false,
          description: "failed",
          error: message,
          seconds: (performance.now() - started) / 1000,
        });
        throw error;
      }
    },
  };
  try {
    await tools.sandbox.run(index, {
      host: { name: hostName, data: session.host.data, groups: [...session.host.groups] },
      config: request.inventory.config,
      dryRun: request.dryRun,
    }, handler);
    return undefined;
  } catch (error) {
    if (failure !== undefined) return { message: failure, refused };
    const where = error instanceof DeployFailure && error.workerStack
      ? firstDeployFrame(error.workerStack, deploy.path)
      : "";
    return {
      message: session.mask(`deploy ${deploy.name} threw ${errorMessage(error)}${where}`),
      refused,
    };
  }
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

function firstDeployFrame(stack: string, path: string): string {
  const line = stack.split("\n").find((frame) => frame.includes(path));
  const match = line ? /(file:\/\/[^\s)]+:\d+:\d+)/.exec(line) : null;
  return match ? ` at ${match[1].replace("file://", "")}` : "";
}

/**
 * Runs the deploys on every host of the inventory. Load errors of deploy
 * modules are InputErrors thrown before any host is touched.
 */
export async function runDeploys(request: RunRequest): Promise<RunOutcome> {
  const sandbox = request.sandbox ??
    await DeploySandbox.start(request.deployPaths, { allowRead: request.allowRead });
  const policy = LocalPathPolicy.of({
    read: [...sandbox.deploys.map((deploy) => dirOf(deploy.path)), ...(request.allowRead ?? [])],
    write: request.allowWrite ?? [],
  });
  let refused = 0;
  try {
    request.emit({
      type: "run-start",
      hosts: request.inventory.hosts.map((h) => h.name),
      deploys: sandbox.deploys.map((d) => d.name),
      dryRun: request.dryRun,
    });
    const total = request.inventory.hosts.length;
    let failedSoFar = 0;
    const results = await mapPool(request.inventory.hosts, request.parallel, async (host) => {
      const started = performance.now();
      const tooMany = request.failPercent !== undefined && total > 0 &&
        (failedSoFar / total) * 100 > request.failPercent;
      const result = request.signal?.aborted
        ? {
          ok: false,
          counts: { ok: 0, changed: 0, failed: 0, skipped: 0 },
          error: "interrupted before start",
        }
        : tooMany
        ? {
          ok: false,
          counts: { ok: 0, changed: 0, failed: 0, skipped: 0 },
          error: `not started: more than ${request.failPercent}% of hosts failed`,
        }
        : await runHost(host, request, { sandbox, policy });
      if (!result.ok) failedSoFar++;
      if ("refused" in result && result.refused) refused++;
      const seconds = (performance.now() - started) / 1000;
      const entry = {
        host: host.name,
        ok: result.ok,
        counts: result.counts,
        seconds,
        error: result.error,
      };
      request.emit({ type: "host-done", ...entry });
      return entry;
    });
    const outcome: RunOutcome = {
      failed: results.filter((r) => !r.ok).length,
      refused,
      interrupted: request.signal?.aborted ?? false,
      hosts: results,
    };
    request.emit({
      type: "summary",
      hosts: results,
      failed: outcome.failed,
      interrupted: outcome.interrupted,
      dryRun: request.dryRun,
    });
    return outcome;
  } finally {
    if (!request.sandbox) sandbox[Symbol.dispose]();
  }
}
