/**
 * How one operation call of a deploy is run against a host session: a
 * built-in through the registry (its local files read once per run and
 * noted for a plan), or an operation the deploy defined.
 *
 * @module
 */

import type { OperationResult } from "../api/mod.ts";
import type { ControlArguments } from "../core/arguments.ts";
import type { LoadedDeploy } from "../sandbox/deploy_sandbox.ts";
import type { LocalPathPolicy } from "../operations/local_paths.ts";
import type { LocalFileCache } from "../operations/local_files.ts";
import { callOperation } from "../operations/registry.ts";
import { callUserOperation, type userCall } from "../operations/user_ops.ts";
import type { HostSession } from "./session.ts";
import type { HostPlan } from "./plan/host_plan.ts";

/** What an operation call needs besides its name and arguments. */
export interface CallerContext {
  /** Set for an operation the deploy defined. */
  defined?: ReturnType<typeof userCall>;
  deploy: LoadedDeploy;
  deployDefaults: ControlArguments;
  policy: LocalPathPolicy;
  /** The run's local files: small ones read once, large ones hashed once. */
  files: LocalFileCache;
  config?: Readonly<Record<string, unknown>>;
  plan: HostPlan;
}

/** A function that runs the call, as a dry run or not, with or without diffs. */
export function operationCaller(
  session: HostSession,
  name: string,
  args: unknown[],
  { defined, deploy, deployDefaults, policy, files, config, plan }: CallerContext,
): (dryRun: boolean, wantDiff: boolean) => Promise<OperationResult> {
  return (dryRun, wantDiff) =>
    defined
      ? callUserOperation(session, name, defined.plan, defined.control, { dryRun, deployDefaults })
      : callOperation(session, name, args, {
        dryRun,
        wantDiff,
        deployDefaults,
        local: {
          policy,
          base: dirOf(deploy.path),
          deploy: deploy.name,
          files,
          resolved: (path, access) => access === "read" && plan.localRead(path),
        },
        config,
      });
}

/** The directory of a path. */
export function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}
