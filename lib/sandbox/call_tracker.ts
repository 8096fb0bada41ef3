/**
 * Every operation and fact call a deploy starts on one host, tracked so that
 * none is lost: calls run in call order, the host does not finish while one
 * is pending, and a call the deploy never awaited is reported with its call
 * site (its failure fails the host instead of vanishing).
 *
 * @module
 */

/** One call a deploy started. */
interface Tracked {
  label: string;
  site: string;
  state: "pending" | "ok" | "failed";
  error?: unknown;
  observed: boolean;
  reported: boolean;
  settled: Promise<unknown>;
}

/**
 * The call site of the deploy code that made a call: the first stack frame
 * outside skiff's sandbox files, as `file.ts:line`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { callSite } from "./call_tracker.ts";
 * const stack = "Error\n    at call (file:///x/lib/sandbox/deploy_worker.ts:40:5)\n    at default (file:///srv/deploys/web.ts:12:9)";
 * strictEqual(callSite(stack), "web.ts:12");
 * ```
 */
export function callSite(stack: string | undefined): string {
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const match = /(?:file:\/\/)?(\/[^\s():]+\.[cm]?[jt]sx?):(\d+):\d+/.exec(line);
    if (!match || match[1].includes("/lib/sandbox/")) continue;
    return `${match[1].slice(match[1].lastIndexOf("/") + 1)}:${match[2]}`;
  }
  return "an unknown place";
}

/** A promise that notes when someone awaits it or attaches a handler. */
class Observed<T> extends Promise<T> {
  onObserved?: () => void;

  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    // deno-lint-ignore no-explicit-any
    onRejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.onObserved?.();
    return super.then(onFulfilled, onRejected);
  }

  static override get [Symbol.species]() {
    return Promise;
  }
}

/** The calls of one deploy run on one host. */
export class CallTracker {
  readonly #calls: Tracked[] = [];
  /** Settles when every call so far has. */
  #chain: Promise<unknown> = Promise.resolve();
  /** Settles when the last call that is not `alongside`, and all before it, have. */
  #exclusive: Promise<unknown> = Promise.resolve();

  /**
   * Starts `start` once every earlier call has settled (calls run in call
   * order) and returns its result as a promise that knows whether the
   * deploy awaited it. An `alongside` call (a fact: it only reads) waits
   * only for the last call that is not, so reads asked for together start
   * together and share the host's round trip; the next other call waits for
   * them all.
   *
   * @example
   * ```ts
   * import { deepStrictEqual } from "node:assert/strict";
   * import { CallTracker } from "./call_tracker.ts";
   * const tracker = new CallTracker();
   * const order: string[] = [];
   * const call = (name: string, alongside: boolean) =>
   *   tracker.track(name, "-", async () => {
   *     order.push(`start ${name}`);
   *     await new Promise((r) => setTimeout(r, 10));
   *     order.push(`end ${name}`);
   *   }, { alongside });
   * await Promise.all([call("op", false), call("a", true), call("b", true), call("op2", false)]);
   * deepStrictEqual(order, ["start op", "end op", "start a", "start b", "end a", "end b", "start op2", "end op2"]);
   * ```
   */
  track<T>(
    label: string,
    site: string,
    start: () => Promise<T>,
    options: { alongside?: boolean } = {},
  ): Promise<T> {
    const run = (options.alongside ? this.#exclusive : this.#chain).then(start, start);
    const entry: Tracked = {
      label,
      site,
      state: "pending",
      observed: false,
      reported: false,
      settled: run,
    };
    this.#calls.push(entry);
    const settled = run.then(
      () => (entry.state = "ok"),
      (error) => {
        entry.state = "failed";
        entry.error = error;
      },
    );
    this.#chain = Promise.all([this.#chain, settled]);
    if (!options.alongside) this.#exclusive = this.#chain;
    const observed = new Observed<T>((resolve, reject) => run.then(resolve, reject));
    observed.onObserved = () => (entry.observed = true);
    // A rejection nobody awaited is reported by settle(), not as an uncaught error.
    Promise.prototype.then.call(observed, undefined, () => {});
    return observed;
  }

  /**
   * Waits for every call and reports, once each, the ones the deploy never
   * awaited: `notAwaited` lines, and `failure` for the first that failed.
   */
  async settle(): Promise<{ notAwaited: string[]; failure?: string }> {
    await this.#chain;
    const notAwaited: string[] = [];
    let failure: string | undefined;
    for (const call of this.#calls) {
      if (call.observed || call.reported) continue;
      call.reported = true;
      notAwaited.push(`not awaited: ${call.label} at ${call.site}`);
      if (call.state === "failed" && failure === undefined) {
        const message = (call.error as Error)?.message ?? String(call.error);
        failure = `not awaited: ${call.label} at ${call.site} failed: ${message}`;
      }
    }
    return failure === undefined ? { notAwaited } : { notAwaited, failure };
  }
}
