/**
 * A deploy's handlers on one host: registered by name, notified by
 * `ctx.notify` or `_notify`, each notified one run once, in registration
 * order, at `ctx.flushHandlers()` or when the deploy ends. Lives in the
 * worker, so notifying costs no message.
 *
 * @module
 */

/**
 * Registered and notified handlers of one deploy run on one host.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { Handlers } from "./handlers.ts";
 * const ran: string[] = [];
 * const handlers = new Handlers(() => Promise.resolve());
 * handlers.register("reload", () => ran.push("reload"));
 * handlers.notify("reload");
 * handlers.notify("reload");
 * await handlers.flush();
 * deepStrictEqual(ran, ["reload"]);
 * ```
 */
export class Handlers {
  readonly #handlers = new Map<string, () => unknown>();
  readonly #notified = new Set<string>();
  readonly #announce: (name: string) => Promise<unknown>;

  /** `announce` is told each handler's name before it runs (for the `handler-run` event). */
  constructor(announce: (name: string) => Promise<unknown>) {
    this.#announce = announce;
  }

  /** Registers handler `name`; registering a name twice is an error. */
  register(name: string, fn: () => unknown): void {
    if (typeof fn !== "function") throw new TypeError(`Handler "${name}": expected a function`);
    if (this.#handlers.has(name)) throw new Error(`Handler "${name}" is already registered`);
    this.#handlers.set(name, fn);
  }

  /** Throws unless handler `name` is registered. */
  check(name: string): void {
    if (!this.#handlers.has(name)) {
      throw new Error(`Handler "${name}" is not registered: call ctx.handler("${name}", fn) first`);
    }
  }

  /** Marks handler `name` to run at the next flush. */
  notify(name: string): void {
    this.check(name);
    this.#notified.add(name);
  }

  /** Runs every notified handler once, in registration order. */
  async flush(): Promise<void> {
    for (const [name, fn] of this.#handlers) {
      if (!this.#notified.delete(name)) continue;
      await this.#announce(name);
      await fn();
    }
  }
}
