/**
 * The runner: takes the hosts in batches (`--serial`), connects each batch's
 * hosts with a bounded pool, runs each host's deploys through the sandbox
 * (lib/run/host_run.ts) with one {@linkcode Coordinator} for the run, and
 * emits events. Every connection is closed at the end.
 *
 * @module
 */

import { MaskedSecret, SecretValue } from "../core/command.ts";
import { DeploySandbox } from "../sandbox/deploy_sandbox.ts";
import type { InventoryHost } from "../inventory/inventory.ts";
import type { RunOutcome, RunRequest } from "./request.ts";
import { mapPool } from "./pool.ts";
import type { HostSummary } from "./events.ts";
import { batchesOf } from "./batches.ts";
import { Coordinator } from "./coordinator.ts";
import { dirOf, runHost } from "./host_run.ts";
import { LocalPathPolicy } from "../operations/local_paths.ts";
import { LocalFileCache } from "../operations/local_files.ts";
import { defaultRunLock } from "./_host_lock.ts";

export type { RunOutcome, RunRequest } from "./request.ts";

function notStarted(error: string) {
  return { ok: false, counts: { ok: 0, changed: 0, failed: 0, skipped: 0 }, error };
}

/** Host data with every secret (at any depth) replaced by a marker naming the host. */
function maskSecrets(value: unknown, host: string): unknown {
  if (value instanceof SecretValue) return new MaskedSecret(host);
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, host));
  if (typeof value === "object" && value !== null && value.constructor === Object) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, maskSecrets(item, host)]),
    );
  }
  return value;
}

/**
 * Runs the deploys on every host of the inventory, batch after batch. Load
 * errors of deploy modules are InputErrors thrown before any host is touched.
 * Past `failPercent` failed hosts in a batch, no further host or batch starts.
 */
export async function runDeploys(request: RunRequest): Promise<RunOutcome> {
  const sandbox = request.sandbox ??
    await DeploySandbox.start(request.deployPaths, { allowRead: request.allowRead });
  try {
    const hosts = request.inventory.hosts;
    request.emit({
      type: "run-start",
      hosts: hosts.map((h) => h.name),
      deploys: sandbox.deploys.map((d) => d.name),
      dryRun: request.dryRun,
    });
    const coordinator = new Coordinator({
      emit: request.emit,
      strategy: request.strategy,
      signal: request.signal,
    });
    sandbox.setInventory(hosts.map((host) => ({
      name: host.name,
      data: maskSecrets(host.data, host.name),
      groups: [...host.groups],
    })));
    const policy = LocalPathPolicy.of({
      read: [...sandbox.deploys.map((deploy) => dirOf(deploy.path)), ...(request.allowRead ?? [])],
      write: request.allowWrite ?? [],
    });
    const lock = request.dryRun
      ? undefined
      : request.runLock ?? defaultRunLock(request.context.runProcess);
    const shared = { sandbox, coordinator, policy, files: new LocalFileCache(), lock };
    let refused = 0;
    // Missing local sources, each said once; after the first no further host starts.
    const inputErrors = new Set<string>();
    const inputStop = "not started: the deploy's input is wrong (see the error at the end)";
    const batches = batchesOf(hosts, request.serial);
    const results = new Map<string, HostSummary>();
    let stopped: string | undefined;
    for (const [batch, members] of batches.entries()) {
      const tag = batches.length > 1 ? { batch } : {};
      if (stopped !== undefined || request.signal?.aborted) {
        for (const host of members) {
          const entry: HostSummary = {
            host: host.name,
            ok: false,
            counts: { ok: 0, changed: 0, failed: 0, skipped: 0 },
            seconds: 0,
            error: request.signal?.aborted ? "interrupted before start" : stopped,
            ...tag,
          };
          request.emit({ type: "host-done", ...entry });
          results.set(host.name, entry);
        }
        continue;
      }
      if (batches.length > 1) {
        request.emit({
          type: "batch-start",
          batch,
          batches: batches.length,
          hosts: members.map((h) => h.name),
        });
      }
      coordinator.startBatch(batch, members.map((h) => h.name));
      const tooMany = (failed: number) =>
        request.failPercent !== undefined && (failed / members.length) * 100 > request.failPercent;
      let failedInBatch = 0;
      const startHost = (host: InventoryHost) => {
        coordinator.hostStarted(host.name);
        return runHost(host, request, shared);
      };
      await mapPool(members, request.parallel, async (host) => {
        const started = performance.now();
        const result = request.signal?.aborted
          ? notStarted("interrupted before start")
          : inputErrors.size > 0
          ? notStarted(inputStop)
          : tooMany(failedInBatch)
          ? notStarted(`not started: more than ${request.failPercent}% of hosts failed`)
          : await startHost(host);
        if (!result.ok) failedInBatch++;
        if ("refused" in result && result.refused) refused++;
        if ("inputError" in result && result.inputError) inputErrors.add(result.inputError);
        coordinator.hostEnded(host.name, result.ok ? undefined : result.error);
        const entry: HostSummary = {
          host: host.name,
          ok: result.ok,
          counts: result.counts,
          seconds: (performance.now() - started) / 1000,
          error: result.error,
          ...tag,
        };
        request.emit({ type: "host-done", ...entry });
        results.set(host.name, entry);
      });
      if (inputErrors.size > 0) stopped = inputStop;
      else if (tooMany(failedInBatch)) {
        stopped = `not started: more than ${request.failPercent}% of batch ${batch + 1} failed`;
      }
    }
    const ordered = hosts.map((host) => results.get(host.name)!);
    const outcome: RunOutcome = {
      failed: ordered.filter((r) => !r.ok).length,
      refused,
      inputErrors: [...inputErrors],
      interrupted: request.signal?.aborted ?? false,
      hosts: ordered,
    };
    request.emit({
      type: "summary",
      hosts: ordered,
      failed: outcome.failed,
      interrupted: outcome.interrupted,
      dryRun: request.dryRun,
      ...(inputErrors.size > 0 ? { inputErrors: [...inputErrors] } : {}),
    });
    return outcome;
  } finally {
    if (!request.sandbox) sandbox[Symbol.dispose]();
  }
}
