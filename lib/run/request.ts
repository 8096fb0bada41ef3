/**
 * What a deploy run needs and how it ended.
 *
 * @module
 */

import type { ConnectorContext } from "../../connectors/base.ts";
import type { ControlArguments } from "../core/arguments.ts";
import type { DeploySandbox } from "../sandbox/deploy_sandbox.ts";
import type { Inventory } from "../inventory/inventory.ts";
import type { Restrictions } from "../inventory/restrictions.ts";
import type { EventSink, HostSummary } from "./events.ts";
import type { Serial } from "./batches.ts";
import type { Strategy } from "./coordinator.ts";
import type { RunLockOptions } from "./_host_lock.ts";
import type { PlannedOperation } from "./plan/plan_document.ts";
import type { PlanRecorder } from "./plan/plan_recorder.ts";

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
  /** Stop starting hosts (and batches) once more than this percentage of a batch failed. */
  failPercent?: number;
  /** Hosts per batch, or a percentage of them; absent: one batch. */
  serial?: Serial;
  /** `free` (default): each host runs to the end; `linear`: operations in lock-step. */
  strategy?: Strategy;
  /** Run notified handlers on a host whose deploy failed too. */
  forceHandlers?: boolean;
  /** Seconds a host's deploys may take; then the host is stopped like Ctrl-C and fails. */
  hostTimeout?: number;
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
  /** The per-host run lock when not `dryRun`; absent: this process, `/tmp/skiff-run.lock`. */
  runLock?: RunLockOptions;
  /** An already started sandbox (the CLI reuses one for the confirm-then-apply flow). */
  sandbox?: DeploySandbox;
  /** A dry run that makes a plan: where its operations, events and local reads go. */
  recorder?: PlanRecorder;
  /**
   * An apply of a plan: each host's planned operations. Before each operation
   * runs it is evaluated as a dry run and compared with the plan; the first
   * difference stops that host (drift).
   */
  applying?: ReadonlyMap<string, readonly PlannedOperation[]>;
}

/** How the run ended. */
export interface RunOutcome {
  /** Hosts that failed. */
  failed: number;
  /** The run was interrupted. */
  interrupted: boolean;
  /** Hosts that failed because an operation was refused a local path (exit code 2). */
  refused: number;
  /** The deploy's input errors (a missing local source), each once, in the order met (exit code 2). */
  inputErrors: string[];
  /** Per-host results, in inventory order. */
  hosts: HostSummary[];
}
