/**
 * The events a run emits. The reporter turns them into terminal output;
 * `--json` writes them one per line.
 *
 * @module
 */

/** Counts per host. */
export interface HostCounts {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
}

/** How one host's run ended. */
export interface HostSummary {
  host: string;
  ok: boolean;
  counts: HostCounts;
  seconds: number;
  error?: string;
  /** The batch it ran in (0-based; `--serial`). */
  batch?: number;
}

/** One operation call site of the end-of-run report, with its hosts counted by outcome. */
export interface OperationRow {
  /** Where the deploy called it (`web.ts:12`); `-` when unknown. */
  site: string;
  op: string;
  /** The subject all its hosts shared, or `(N subjects)`. */
  subject: string;
  changed: number;
  unchanged: number;
  failed: number;
  skipped: number;
  /** The hosts it failed on, in the order they failed. */
  failedHosts: string[];
}

/** Every event of a run. Commands and output are masked before they become events. */
export type RunEvent =
  | { type: "run-start"; hosts: string[]; deploys: string[]; dryRun: boolean }
  | { type: "batch-start"; batch: number; batches: number; hosts: string[] }
  | {
    type: "barrier-wait";
    host: string;
    barrier: string;
    batch: number;
    /** Hosts at the barrier, this one included. */
    arrived: number;
    /** Hosts of the batch still running. */
    total: number;
  }
  | { type: "barrier-pass"; barrier: string; batch: number; hosts: number; seconds: number }
  | { type: "run-once"; host: string; key: string }
  | { type: "handler-run"; host: string; handler: string }
  | { type: "host-connected"; host: string; seconds: number }
  | { type: "host-connect-failed"; host: string; error: string }
  | { type: "deploy-start"; host: string; deploy: string }
  | { type: "deploy-skipped"; host: string; deploy: string; reason: string }
  | {
    type: "op-start";
    host: string;
    op: string;
    subject: string;
    /** Where the deploy called it (`web.ts:12`). */
    site?: string;
    /** Its place among the host's operations (0-based): the plan's operation index. */
    index?: number;
  }
  | { type: "command"; host: string; command: string }
  | { type: "output"; host: string; stream: "stdout" | "stderr"; line: string }
  | {
    type: "op-result";
    host: string;
    op: string;
    subject: string;
    /** Where the deploy called it (`web.ts:12`). */
    site?: string;
    /** Its place among the host's operations (0-based): the plan's operation index. */
    index?: number;
    changed: boolean;
    success: boolean;
    skipped?: boolean;
    /** `_run_once`: the host it ran on (this host did not run it). */
    ranOn?: string;
    description: string;
    diff?: string;
    /** A dry run's outcome that depends on an earlier change it cannot predict. */
    dependsOnEarlierChange?: boolean;
    error?: string;
    /** An apply of a plan stopped the host here: the operation differs from the plan (`error` says how). */
    drift?: boolean;
    seconds: number;
  }
  | { type: "log"; host: string; message: string }
  | ({ type: "host-done" } & HostSummary)
  | {
    type: "summary";
    hosts: HostSummary[];
    failed: number;
    interrupted: boolean;
    dryRun: boolean;
    /** The report by operation (added by the deploy command). */
    operations?: OperationRow[];
    /** The failed hosts, one name a line, as `--limit @file` reads them. */
    failedHosts?: string;
    /** The command that runs the deploy again on the failed hosts only. */
    rerun?: string;
    /** The deploy's input errors (a missing local source), each once; the CLI prints them last. */
    inputErrors?: string[];
  };

/** Receives events. */
export type EventSink = (event: RunEvent) => void;
