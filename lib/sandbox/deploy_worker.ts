/**
 * The deploy worker: runs deploy modules with no network, no processes, no
 * environment and no writes. Every effect on a host is a message to the main
 * thread, which holds the connections.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { SecretValue, sh as shTemplate } from "../core/command.ts";
import { decode, encode } from "./codec.ts";
import type { DeployContext, DeployModule, OperationResult } from "../api/mod.ts";
import type { FromWorker, HostPayload, ToWorker } from "./protocol.ts";

const modules: { module: DeployModule; path: string }[] = [];
const pending = new Map<
  number,
  { resolve: (value: unknown) => void; reject: (error: Error) => void }
>();
let nextCall = 0;

function post(message: FromWorker): void {
  self.postMessage(message);
}

function call(runId: number, kind: "op" | "fact", name: string, args: unknown[]): Promise<unknown> {
  const callId = nextCall++;
  return new Promise((resolve, reject) => {
    pending.set(callId, { resolve, reject });
    post({ type: "call", runId, callId, kind, name, args: encode(args) as unknown[] });
  });
}

/** Evaluates `_if` (a boolean or a function) found in the trailing option objects. */
async function shouldRun(args: unknown[]): Promise<boolean> {
  for (const arg of args) {
    if (typeof arg !== "object" || arg === null || !("_if" in arg)) continue;
    const condition = (arg as { _if: unknown })._if;
    const value = typeof condition === "function" ? await condition() : condition;
    if (value === false) return false;
  }
  return true;
}

function retryUntil(args: unknown[]): { until?: (r: OperationResult) => boolean; retries: number } {
  let until: ((r: OperationResult) => boolean) | undefined;
  let retries = 0;
  for (const arg of args) {
    if (typeof arg !== "object" || arg === null) continue;
    const record = arg as Record<string, unknown>;
    if (typeof record._retry_until === "function") {
      until = record._retry_until as (r: OperationResult) => boolean;
    }
    if (typeof record._retries === "number") retries = record._retries;
  }
  return { until, retries };
}

function stripFunctions(args: unknown[]): unknown[] {
  return args.map((arg) => {
    if (typeof arg !== "object" || arg === null || Array.isArray(arg)) return arg;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(arg)) {
      if (key === "_if") out[key] = true;
      else if (typeof value !== "function") out[key] = value;
    }
    return out;
  });
}

async function operation(runId: number, name: string, args: unknown[]): Promise<OperationResult> {
  if (!(await shouldRun(args))) {
    return (await call(runId, "op", name, [...stripFunctions(args), {
      _if: false,
    }])) as OperationResult;
  }
  const { until, retries } = retryUntil(args);
  const clean = stripFunctions(args);
  let result = (await call(runId, "op", name, clean)) as OperationResult;
  for (let attempt = 0; until && !until(result) && attempt < retries; attempt++) {
    result = (await call(runId, "op", name, clean)) as OperationResult;
  }
  return result;
}

function namespace<T>(runId: number, kind: "op" | "fact"): T {
  return new Proxy({}, {
    get: (_target, section) => {
      if (typeof section !== "string" || section === "then") return undefined;
      return new Proxy({}, {
        get: (_inner, method) => {
          if (typeof method !== "string" || method === "then") return undefined;
          const name = `${section}.${method}`;
          return (...args: unknown[]) =>
            kind === "op" ? operation(runId, name, args) : call(runId, "fact", name, args);
        },
      });
    },
  }) as T;
}

function context(runId: number, payload: HostPayload): DeployContext {
  return {
    host: decode(payload.host) as DeployContext["host"],
    config: decode(payload.config) as Record<string, unknown>,
    dryRun: payload.dryRun,
    ops: namespace(runId, "op"),
    facts: namespace(runId, "fact"),
    log: (message: string) => post({ type: "log", runId, message: String(message) }),
    secret: (value: string) => new SecretValue(value),
    sh: shTemplate,
  };
}

function stem(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.replace(/\.(ts|js|mts|mjs|tsx|jsx)$/, "");
}

async function load(paths: string[]): Promise<void> {
  const loaded: { name: string; defaults: unknown }[] = [];
  for (const path of paths) {
    let module: DeployModule;
    try {
      module = await import(new URL(`file://${path}`).href);
    } catch (error) {
      post({ type: "load-error", path, message: (error as Error).message ?? String(error) });
      return;
    }
    if (typeof module.default !== "function") {
      post({
        type: "load-error",
        path,
        message:
          "it has no default export function: write `export default async function (ctx) { … }`",
      });
      return;
    }
    modules.push({ module, path });
    loaded.push({
      name: typeof module.name === "string" ? module.name : stem(path),
      defaults: encode(module.defaults ?? {}),
    });
  }
  post({ type: "loaded", deploys: loaded });
}

async function run(runId: number, index: number, payload: HostPayload): Promise<void> {
  try {
    await modules[index].module.default(context(runId, payload));
    post({ type: "done", runId });
  } catch (error) {
    const err = error as Error;
    post({
      type: "failed",
      runId,
      name: err?.name ?? "Error",
      message: err?.message ?? String(error),
      stack: err?.stack,
    });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "load":
      void load(message.paths);
      break;
    case "run":
      void run(message.runId, message.index, message.payload);
      break;
    case "result": {
      const waiter = pending.get(message.callId);
      pending.delete(message.callId);
      if (!waiter) return;
      if (message.ok) waiter.resolve(decode(message.value));
      else {
        const error = new Error(message.message);
        error.name = message.name;
        waiter.reject(error);
      }
      break;
    }
  }
};
