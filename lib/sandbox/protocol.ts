/**
 * Messages between the main thread and the deploy worker.
 *
 * @module
 */

/** A host as sent to the worker (encoded with the codec). */
export interface HostPayload {
  host: unknown;
  config: unknown;
  dryRun: boolean;
  /** Run notified handlers even when the deploy failed. */
  forceHandlers?: boolean;
}

/**
 * What a call asks for: an operation, a fact, coordination with other hosts,
 * or an operation the deploy defined (`ctx.defineOperation`; its arguments
 * are `[plan, subject, control]`, the plan a function of the deploy's).
 */
export type CallKind = "op" | "fact" | "coord" | "userop";

/** Main thread → worker. */
export type ToWorker =
  | { type: "load"; paths: string[] }
  /** Every host of the run, secrets masked (encoded); sent once, before the runs. */
  | { type: "inventory"; hosts: unknown }
  | { type: "run"; runId: number; index: number; payload: HostPayload }
  | { type: "result"; callId: number; ok: true; value: unknown }
  | { type: "result"; callId: number; ok: false; name: string; message: string }
  | { type: "invoke"; invokeId: number; callbackId: number; args: unknown[] };

/** Worker → main thread. */
export type FromWorker =
  | { type: "loaded"; deploys: { name: string; defaults: unknown }[] }
  | { type: "load-error"; path: string; message: string }
  | {
    type: "call";
    runId: number;
    callId: number;
    kind: CallKind;
    name: string;
    args: unknown[];
    /** Where the deploy made the call (`web.ts:12`), for the report by operation. */
    site?: string;
    /** Ids of the functions registered for this call, forgotten when it settles. */
    callbacks: number[];
  }
  | { type: "invoke-result"; invokeId: number; ok: true; value: unknown }
  | { type: "invoke-result"; invokeId: number; ok: false; name: string; message: string }
  | { type: "log"; runId: number; message: string }
  | { type: "done"; runId: number }
  | { type: "failed"; runId: number; name: string; message: string; stack?: string };
