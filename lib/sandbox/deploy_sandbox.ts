/**
 * The main-thread side of the deploy sandbox: starts the worker with narrow
 * permissions, loads the deploy modules, and answers their calls.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { decode, encode } from "./codec.ts";
import type { CallKind, FromWorker, HostPayload, ToWorker } from "./protocol.ts";
import { workerPermissions } from "./worker_permissions.ts";

/** A loaded deploy module. */
export interface LoadedDeploy {
  /** Absolute path. */
  path: string;
  /** Name for restrictions (file stem or exported `name`). */
  name: string;
  /** Control arguments for every operation of the deploy. */
  defaults: Record<string, unknown>;
}

/** Answers a deploy's operation, fact and coordination calls. */
export interface CallHandler {
  /** `site`: where the deploy made the call (`web.ts:12`), when known. */
  call(kind: CallKind, name: string, args: unknown[], site?: string): Promise<unknown>;
  log(message: string): void;
  /**
   * The host run's stop (Ctrl-C, SIGTERM, `--host-timeout`): once it aborts,
   * calls of the deploy's functions (`_retry_until`, a template filter, a
   * defined operation's plan) are abandoned, so the deploy's code cannot hold a stop.
   */
  signal?: AbortSignal;
}

/** Options for starting the sandbox. */
export interface SandboxOptions {
  /** Extra paths deploys may read (`--allow-read`). */
  allowRead?: readonly string[];
}

/** The deploy worker and what it loaded. */
export class DeploySandbox implements Disposable {
  readonly #worker: Worker;
  readonly #runs = new Map<
    number,
    { handler: CallHandler; resolve: () => void; reject: (e: Error) => void }
  >();
  #nextRun = 0;
  readonly #invokes = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  #nextInvoke = 0;
  /** The deploys, in order. */
  readonly deploys: LoadedDeploy[];

  private constructor(worker: Worker, deploys: LoadedDeploy[]) {
    this.#worker = worker;
    this.deploys = deploys;
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(event.data);
  }

  /**
   * Starts a worker that may read only the deploys' directories (and
   * `allowRead`), and loads every deploy. A deploy that fails to load is an
   * InputError naming its path and position.
   */
  static async start(
    paths: readonly string[],
    options: SandboxOptions = {},
  ): Promise<DeploySandbox> {
    const dirs = [...new Set(paths.map((path) => path.slice(0, path.lastIndexOf("/")) || "/"))];
    const worker = new Worker(new URL("./deploy_worker.ts", import.meta.url), {
      type: "module",
      name: "skiff-deploy",
      deno: {
        permissions: workerPermissions([...dirs, ...(options.allowRead ?? [])]),
      },
    });
    try {
      const loaded = await new Promise<LoadedDeploy[]>((resolve, reject) => {
        worker.onerror = (event) => {
          event.preventDefault();
          reject(new Error(`The deploy worker failed to start: ${event.message}`));
        };
        worker.onmessage = (event: MessageEvent<FromWorker>) => {
          const message = event.data;
          if (message.type === "loaded") {
            resolve(message.deploys.map((deploy, index) => ({
              path: paths[index],
              name: deploy.name,
              defaults: decode(deploy.defaults) as Record<string, unknown>,
            })));
          } else if (message.type === "load-error") {
            reject(new InputError(`Deploy ${message.path} failed to load: ${message.message}`));
          }
        };
        worker.postMessage({ type: "load", paths: [...paths] } satisfies ToWorker);
      });
      return new DeploySandbox(worker, loaded);
    } catch (error) {
      worker.terminate();
      throw error;
    }
  }

  /**
   * Hands the worker every host of the run for `ctx.inventory`, once: each
   * deploy sees this list with its own host (and its own usable secrets)
   * in place of its entry. Mask other hosts' secrets before sending.
   */
  setInventory(hosts: readonly { name: string; data: unknown; groups: string[] }[]): void {
    this.#worker.postMessage({ type: "inventory", hosts: encode(hosts) } satisfies ToWorker);
  }

  /** Runs deploy `index` for one host; resolves when the deploy function returns. */
  run(index: number, payload: HostPayload, handler: CallHandler): Promise<void> {
    const runId = this.#nextRun++;
    return new Promise<void>((resolve, reject) => {
      this.#runs.set(runId, { handler, resolve, reject });
      const encoded: HostPayload = {
        ...payload,
        host: encode(payload.host),
        config: encode(payload.config),
      };
      this.#worker.postMessage({ type: "run", runId, index, payload: encoded } satisfies ToWorker);
    });
  }

  /** Calls the deploy's function `callbackId` inside the worker. */
  #invoke(callbackId: number, args: unknown[], signal?: AbortSignal): Promise<unknown> {
    const invokeId = this.#nextInvoke++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error("Interrupted"));
      const onAbort = () => {
        this.#invokes.delete(invokeId);
        reject(new Error("Interrupted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#invokes.set(invokeId, {
        resolve: (value) => (signal?.removeEventListener("abort", onAbort), resolve(value)),
        reject: (error) => (signal?.removeEventListener("abort", onAbort), reject(error)),
      });
      this.#worker.postMessage(
        {
          type: "invoke",
          invokeId,
          callbackId,
          args: encode(args) as unknown[],
        } satisfies ToWorker,
      );
    });
  }

  #receive(message: FromWorker): void {
    if (message.type === "loaded" || message.type === "load-error") return;
    if (message.type === "invoke-result") {
      const waiter = this.#invokes.get(message.invokeId);
      this.#invokes.delete(message.invokeId);
      if (!waiter) return;
      if (message.ok) waiter.resolve(decode(message.value));
      else waiter.reject(new DeployFailure(message.name, message.message));
      return;
    }
    const run = this.#runs.get(message.runId);
    if (!run) return;
    switch (message.type) {
      case "call":
        run.handler.call(
          message.kind,
          message.name,
          decode(message.args, {
            callback: (id) => (...args: unknown[]) => this.#invoke(id, args, run.handler.signal),
          }) as unknown[],
          message.site,
        ).then(
          (value) =>
            this.#worker.postMessage(
              {
                type: "result",
                callId: message.callId,
                ok: true,
                value: encode(value),
              } satisfies ToWorker,
            ),
          (error: Error) =>
            this.#worker.postMessage(
              {
                type: "result",
                callId: message.callId,
                ok: false,
                name: error?.name ?? "Error",
                message: error?.message ?? String(error),
              } satisfies ToWorker,
            ),
        );
        break;
      case "log":
        run.handler.log(message.message);
        break;
      case "done":
        this.#runs.delete(message.runId);
        run.resolve();
        break;
      case "failed": {
        this.#runs.delete(message.runId);
        const error = new DeployFailure(message.name, message.message, message.stack);
        run.reject(error);
        break;
      }
    }
  }

  /** Stops the worker. */
  [Symbol.dispose](): void {
    this.#worker.terminate();
  }
}

/** A deploy function threw. */
export class DeployFailure extends Error {
  /** The stack from inside the worker. */
  readonly workerStack?: string;
  /** Wraps an error thrown inside the worker. */
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name === "Error" ? "DeployFailure" : name;
    this.workerStack = stack;
  }
}
