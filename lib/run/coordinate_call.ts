/**
 * The deploy's coordination calls (`ctx.barrier`, `ctx.runOnce`,
 * `ctx.share`, `ctx.shared` and the handler announcements), answered from
 * the run's {@linkcode Coordinator}.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import type { Coordinator } from "./coordinator.ts";
import type { EventSink } from "./events.ts";

/** Who asks, and where the answer comes from. */
export interface CoordinationContext {
  /** The run's coordinator. */
  coordinator: Coordinator;
  /** The host whose deploy called. */
  host: string;
  /** Where events go (`handler-run`). */
  emit: EventSink;
}

/**
 * Answers coordination call `name` of host `host` with the arguments the
 * deploy worker sent.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { Coordinator } from "./coordinator.ts";
 * import { coordinate } from "./coordinate_call.ts";
 * const coordinator = new Coordinator({ emit: () => {} });
 * coordinator.startBatch(0, ["a"]);
 * coordinator.hostStarted("a");
 * const context = { coordinator, host: "a", emit: () => {} };
 * await coordinate("share", ["token", 42], context);
 * deepStrictEqual(await coordinate("shared", ["token", null], context), 42);
 * ```
 */
export async function coordinate(
  name: string,
  args: unknown[],
  { coordinator, host, emit }: CoordinationContext,
): Promise<unknown> {
  switch (name) {
    case "barrier":
      return await coordinator.barrier(host, String(args[0]));
    case "runOnce": {
      const fn = (args[1] as { fn?: unknown } | undefined)?.fn;
      if (typeof fn !== "function") throw new TypeError("runOnce: expected a function");
      const once = await coordinator.once(`fn\0${args[0]}`, () => fn(), {
        host,
        label: String(args[0]),
      });
      return once.value;
    }
    case "share":
      return coordinator.share(String(args[0]), args[1]);
    case "shared": {
      const timeout = args[1];
      if (timeout !== null && (typeof timeout !== "number" || !(timeout > 0))) {
        throw new TypeError(`shared: timeout must be a positive number of seconds`);
      }
      return await coordinator.shared(host, String(args[0]), {
        timeout: timeout ?? undefined,
      });
    }
    case "handler":
      emit({ type: "handler-run", host, handler: String(args[0]) });
      return undefined;
    default:
      throw new InputError(`Unknown coordination call "${name}"`);
  }
}
