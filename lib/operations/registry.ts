/**
 * The table of operations a deploy can call, and the dispatcher that turns a
 * call (name and arguments) into a run against a host session.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import type { OperationResult } from "../api/mod.ts";
import { hint } from "../core/data_meta.ts";
import { InputError } from "../core/errors.ts";
import type { OpContext, OperationHost } from "./context.ts";
import type { LocalAccess } from "./local_paths.ts";
import { type LocalFiles, readSource, splitCall } from "./call_arguments.ts";
import { checkCall, foldCall, type OpDefinition, withDefaults } from "./define_op.ts";
import { OPERATION_DEFINITIONS } from "./defs/mod.ts";
import { ignoringErrors } from "./ignoring_errors.ts";
import { LocalFileCache } from "./local_files.ts";
import { sharedKernelOf, sharedKernelRefusal } from "./scope.ts";
import { causeOf, dependsResult, settle } from "./dry_run.ts";
import { PredictedState, StateUnknown } from "./predicted_state.ts";
import { STABLE_FACTS } from "./predicted_facts.ts";

export type { LocalPathArgument, OperationSpec } from "./operation_spec.ts";

/** Every operation by dotted name, from its definition (`defs/`). */
export const OPERATIONS: Readonly<Record<string, OpDefinition>> = Object.fromEntries(
  OPERATION_DEFINITIONS.map((definition) => [definition.name, definition]),
);

export { type LocalFiles, splitCall } from "./call_arguments.ts";
export { ignoringErrors } from "./ignoring_errors.ts";

/** How a call is run. */
export interface CallOptions {
  dryRun: boolean;
  wantDiff: boolean;
  /** The deploy's `defaults` control arguments. */
  deployDefaults: ControlArguments;
  /** Local files: the policy, the deploy's directory, and how checked files are read. */
  local: LocalFiles;
  /** The fleet configuration, for templates. */
  config?: Readonly<Record<string, unknown>>;
}

/** Runs operation `name` with the deploy's arguments on a session. */
export async function callOperation(
  session: OperationHost,
  name: string,
  args: readonly unknown[],
  options: CallOptions,
): Promise<OperationResult> {
  const spec = OPERATIONS[name];
  if (!spec) {
    throw new InputError(`Unknown operation "${name}"${hint(name, Object.keys(OPERATIONS))}`);
  }
  const given = splitCall(name, spec, args);
  checkCall(spec, given);
  const call = withDefaults(spec, foldCall(spec, given));
  const sharedKernel = spec.scope ? sharedKernelOf(session.host.connector) : undefined;
  if (sharedKernel !== undefined && spec.scope === "machine") {
    throw sharedKernelRefusal(name, { host: session.name, what: sharedKernel });
  }
  const { policy, base, files = new LocalFileCache() } = options.local;
  const resolveLocal = (path: string, access: LocalAccess) => {
    const real = policy.resolve(name, path, access, base);
    options.local.resolved?.(real, access);
    return real;
  };
  for (const { at, access } of spec.localPaths ?? []) {
    const value = typeof at === "number" ? call.positional[at] : call.options[at];
    if (typeof value === "string") resolveLocal(value, access);
  }
  const control = session.operationArguments(call.control, options.deployDefaults, name);
  const prediction = options.dryRun
    ? { state: session.predicted ?? new PredictedState(), cause: causeOf(name, spec.subject, call) }
    : undefined;
  const ctx: OpContext = {
    session,
    dryRun: options.dryRun,
    wantDiff: options.wantDiff,
    control,
    readLocal: (path) =>
      readSource(path, {
        read: (real) => files.read(real),
        resolveLocal,
        local: options.local,
        name,
      }),
    openLocal: (path) =>
      readSource(path, {
        read: (real) => files.open(real),
        resolveLocal,
        local: options.local,
        name,
      }),
    resolveLocal,
    config: options.config ?? {},
    sharedKernel,
    prediction,
  };
  const mark = prediction?.state.seq ?? 0;
  return await ignoringErrors(control, async () => {
    try {
      const result = await session.retrying(
        control,
        name,
        () => spec.run(ctx, ...call.positional, call.options),
      );
      if (prediction) return settle(result, { mayChange: spec.mayChange, call, prediction, mark });
      // A change may change any fact but those of the machine itself: none is read stale later.
      if (result.changed || !result.success) session.invalidateFacts("", STABLE_FACTS);
      return result;
    } catch (error) {
      if (prediction && error instanceof StateUnknown) {
        const depends = dependsResult();
        return settle(depends, { mayChange: spec.mayChange, call, prediction, mark, thrown: true });
      }
      // A failed operation may have done part of its work.
      if (!prediction) session.invalidateFacts("", STABLE_FACTS);
      throw error;
    }
  });
}
