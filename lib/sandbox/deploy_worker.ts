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
import type { DeployContext, DeployHost, DeployModule, Facts, OperationTools } from "../api/mod.ts";
import type { CallKind, FromWorker, HostPayload, ToWorker } from "./protocol.ts";
import { Handlers } from "./handlers.ts";
import { callSite, CallTracker } from "./call_tracker.ts";

const modules: { module: DeployModule; path: string }[] = [];
let inventory: DeployHost[] = [];
const pending = new Map<
  number,
  { resolve: (value: unknown) => void; reject: (error: Error) => void }
>();
let nextCall = 0;

function post(message: FromWorker): void {
  self.postMessage(message);
}

const callbacks = new Map<number, (...args: unknown[]) => unknown>();
let nextCallback = 0;

/**
 * Sends a call to the main thread. Functions among the arguments (`_if`,
 * `_retry_until`) stay here and travel as ids: the main thread, which decides
 * whether to skip or retry, calls them back while the call is open.
 */
function call(
  runId: number,
  kind: CallKind,
  name: string,
  args: unknown[],
  site?: string,
): Promise<unknown> {
  const callId = nextCall++;
  const registered: number[] = [];
  const register = (fn: (...args: unknown[]) => unknown) => {
    const id = nextCallback++;
    callbacks.set(id, fn);
    registered.push(id);
    return id;
  };
  const forget = () => registered.forEach((id) => callbacks.delete(id));
  let encoded: unknown[];
  try {
    encoded = encode(args, { register, rejectMasked: kind !== "coord" }) as unknown[];
  } catch (error) {
    forget();
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    pending.set(callId, {
      resolve: (value) => (forget(), resolve(value)),
      reject: (error) => (forget(), reject(error)),
    });
    post({ type: "call", runId, callId, kind, name, args: encoded, site, callbacks: registered });
  });
}

async function invoke(invokeId: number, callbackId: number, args: unknown[]): Promise<void> {
  try {
    const fn = callbacks.get(callbackId);
    if (!fn) throw new Error("The call this function belonged to has ended");
    const value = await fn(...(decode(args) as unknown[]));
    post({ type: "invoke-result", invokeId, ok: true, value: encode(value) });
  } catch (error) {
    const err = error as Error;
    post({
      type: "invoke-result",
      invokeId,
      ok: false,
      name: err?.name ?? "Error",
      message: err?.message ?? String(error),
    });
  }
}

/** The `_notify` names among an operation call's trailing objects. */
function notifiedBy(args: unknown[]): string[] {
  const names: string[] = [];
  for (const arg of args) {
    if (typeof arg !== "object" || arg === null || !("_notify" in arg)) continue;
    const value = (arg as { _notify: unknown })._notify;
    if (value === undefined) continue;
    if (typeof value === "string") names.push(value);
    else if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      names.push(...value);
    } else throw new TypeError("_notify: expected a handler name or a list of names");
  }
  return names;
}

/** Sends an operation call, notifying its `_notify` handlers when it changed something. */
function operationCall(
  runId: number,
  kind: "op" | "userop",
  name: string,
  args: unknown[],
  { tracker, handlers, site }: { tracker: CallTracker; handlers?: Handlers; site: string },
  /** What travels (default `args`): a defined operation sends its plan, subject and control. */
  sent: unknown[] = args,
): Promise<unknown> {
  const notify = handlers ? notifiedBy(args) : [];
  notify.forEach((handler) => handlers!.check(handler));
  return tracker.track(name, site, async () => {
    const result = await call(runId, kind, name, sent, site);
    if ((result as { changed?: boolean })?.changed) {
      notify.forEach((h) => handlers!.notify(h));
    }
    return result;
  });
}

function namespace<T>(
  runId: number,
  kind: "op" | "fact",
  { tracker, handlers }: { tracker: CallTracker; handlers?: Handlers },
): T {
  return new Proxy({}, {
    get: (_target, section) => {
      if (typeof section !== "string" || section === "then") return undefined;
      return new Proxy({}, {
        get: (_inner, method) => {
          if (typeof method !== "string" || method === "then") return undefined;
          const name = `${section}.${method}`;
          return (...args: unknown[]) => {
            const site = callSite(new Error().stack);
            if (kind === "fact") {
              return tracker.track(name, site, () => call(runId, kind, name, args, site), {
                alongside: true,
              });
            }
            return operationCall(runId, kind, name, args, { tracker, handlers, site });
          };
        },
      });
    },
  }) as T;
}

/**
 * `ctx.defineOperation(name, plan)`: a function that deploys call like a
 * built-in operation. Keys starting with `_` in its last object argument are
 * control arguments; the rest of the arguments go to `plan`, which the main
 * thread calls (again on each retry) and whose commands it runs.
 */
function defineOperation(
  runId: number,
  { tracker, handlers }: { tracker: CallTracker; handlers: Handlers },
) {
  return (name: string, plan: (tools: OperationTools, ...args: unknown[]) => unknown) => {
    if (typeof name !== "string" || !/^[a-z][a-z0-9_]*\.[a-z][A-Za-z0-9_]*$/.test(name)) {
      throw new TypeError(
        `defineOperation: the name must be section.name in lower case, such as "app.migrate", got ${
          JSON.stringify(name)
        }`,
      );
    }
    if (typeof plan !== "function") {
      throw new TypeError(`defineOperation ${name}: the plan must be a function`);
    }
    // The plan runs while its operation's call is open, so its facts must not wait in the
    // deploy's call order behind that call: they have an order of their own.
    const planFacts = namespace<Facts>(runId, "fact", { tracker: new CallTracker() });
    const tools: OperationTools = {
      facts: planFacts,
      sh: shTemplate,
      secret: (v) => new SecretValue(v),
    };
    return (...given: unknown[]) => {
      const site = callSite(new Error().stack);
      const args = [...given];
      const control: Record<string, unknown> = {};
      const last = args.at(-1);
      if (
        typeof last === "object" && last !== null && !Array.isArray(last) &&
        Object.getPrototypeOf(last) === Object.prototype
      ) {
        const rest: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(last)) {
          if (key.startsWith("_")) control[key] = value;
          else rest[key] = value;
        }
        if (Object.keys(control).length > 0) {
          if (Object.keys(rest).length > 0) args[args.length - 1] = rest;
          else args.pop();
        }
      }
      const subject = typeof args[0] === "string" ? args[0] : "";
      return operationCall(runId, "userop", name, given, { tracker, handlers, site }, [
        () => plan(tools, ...args),
        subject,
        control,
      ]);
    };
  };
}

function context(
  runId: number,
  payload: HostPayload,
  { handlers, tracker }: { handlers: Handlers; tracker: CallTracker },
): DeployContext {
  const coord = (name: string, ...args: unknown[]) => call(runId, "coord", name, args);
  const self = decode(payload.host) as DeployHost;
  const facts = namespace<Facts>(runId, "fact", { tracker });
  const hosts = inventory.map((host) => host.name === self.name ? self : host);
  return {
    host: self,
    config: decode(payload.config) as Record<string, unknown>,
    dryRun: payload.dryRun,
    ops: namespace(runId, "op", { tracker, handlers }),
    facts,
    defineOperation: defineOperation(runId, { tracker, handlers }) as DeployContext[
      "defineOperation"
    ],
    log: (message: string) => post({ type: "log", runId, message: String(message) }),
    secret: (value: string) => new SecretValue(value),
    sh: shTemplate,
    inventory: {
      hosts,
      group: (name: string) => hosts.filter((host) => host.groups.includes(name)),
    },
    barrier: async (name: string) => void await coord("barrier", String(name)),
    runOnce: <T>(key: string, fn: () => T | Promise<T>) =>
      coord("runOnce", String(key), { fn }) as Promise<T>,
    share: (key: string, value: unknown) => {
      const shared = coord("share", String(key), value).then(() => {});
      shared.catch(() => {});
      return shared;
    },
    shared: <T>(key: string, options: { timeout?: number } = {}) =>
      coord("shared", String(key), options.timeout ?? null) as Promise<T>,
    handler: (name: string, fn: () => unknown) => handlers.register(name, fn),
    notify: (name: string) => handlers.notify(name),
    flushHandlers: () => handlers.flush(),
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
  const handlers = new Handlers((name) => call(runId, "coord", "handler", [name]));
  const tracker = new CallTracker();
  // Calls the deploy did not await still finish before the host does; their failures fail it.
  const settle = async () => {
    const { notAwaited, failure } = await tracker.settle();
    for (const message of notAwaited) post({ type: "log", runId, message });
    if (failure !== undefined) throw new Error(failure);
  };
  try {
    try {
      await modules[index].module.default(context(runId, payload, { handlers, tracker }));
      await settle();
    } catch (error) {
      await tracker.settle().catch(() => {});
      if (payload.forceHandlers) await handlers.flush().catch(() => {});
      throw error;
    }
    await handlers.flush();
    await settle();
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
    case "inventory":
      inventory = decode(message.hosts) as DeployHost[];
      break;
    case "run":
      void run(message.runId, message.index, message.payload);
      break;
    case "invoke":
      void invoke(message.invokeId, message.callbackId, message.args);
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
