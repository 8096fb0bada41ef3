/**
 * Coordination between the hosts of a run: barriers, run-once values and
 * operations, shared values and the linear strategy. One coordinator per
 * run; it knows which hosts of the current batch are running, and a host
 * that ends or fails is let go of everywhere, so it never leaves others
 * waiting. Ctrl-C rejects every wait.
 *
 * @module
 */

import type { EventSink } from "./events.ts";

/** How the hosts of a batch proceed: each on its own, or operations in lock-step. */
export type Strategy = "free" | "linear";

interface Member {
  /** Taken by the pool: hosts still queued (`--parallel` below the batch) hold nobody back. */
  started: boolean;
  deploy: number;
  ended: boolean;
  /** Waiting in a barrier, run-once or shared value: not holding the linear strategy back. */
  waiting: number;
  ops: number;
  /** Times each barrier name was reached in each deploy. */
  seen: Map<string, number>;
}

interface Barrier {
  name: string;
  deploy: number;
  arrived: Set<string>;
  started: number;
  passed: boolean;
  waiters: { resolve: () => void; reject: (error: Error) => void }[];
}

interface Waiter {
  host: string;
  reject: (error: Error) => void;
}

/**
 * The run's coordination state.
 *
 * @example
 * ```ts
 * import { Coordinator } from "./coordinator.ts";
 * const coordinator = new Coordinator({ emit: () => {} });
 * coordinator.startBatch(0, ["a", "b"]);
 * coordinator.hostStarted("a");
 * coordinator.hostStarted("b");
 * const a = coordinator.barrier("a", "ready");
 * coordinator.hostEnded("b");
 * await a; // b ended, so a passes
 * ```
 */
export class Coordinator {
  readonly #emit: EventSink;
  readonly #strategy: Strategy;
  readonly #signal?: AbortSignal;
  #batch = 0;
  #members = new Map<string, Member>();
  #barriers = new Map<string, Barrier>();
  readonly #once = new Map<string, Promise<{ host: string; value: unknown }>>();
  readonly #shared = new Map<string, unknown>();
  readonly #sharedWaiters = new Map<string, Set<Waiter & { resolve: (v: unknown) => void }>>();
  #linear: (Waiter & { deploy: number; count: number; resolve: () => void })[] = [];
  /** Hosts of the current batch that failed. */
  #failures = new Map<string, string>();
  readonly #pending = new Set<(error: Error) => void>();

  /** `strategy` defaults to free; `signal` (Ctrl-C) rejects every wait. */
  constructor(options: { emit: EventSink; strategy?: Strategy; signal?: AbortSignal }) {
    this.#emit = options.emit;
    this.#strategy = options.strategy ?? "free";
    this.#signal = options.signal;
    this.#signal?.addEventListener("abort", () => this.#interrupt(), { once: true });
  }

  /** Starts batch `index`: barriers and lock-step begin again; run-once and shared values stay. */
  startBatch(index: number, hosts: readonly string[]): void {
    this.#batch = index;
    this.#members = new Map();
    this.#barriers = new Map();
    this.#linear = [];
    this.#failures = new Map();
    for (const host of hosts) {
      this.#members.set(host, {
        started: false,
        deploy: 0,
        ended: false,
        waiting: 0,
        ops: 0,
        seen: new Map(),
      });
    }
  }

  /** Host `host` was taken by the pool: from now on the others wait for it. */
  hostStarted(host: string): void {
    const member = this.#members.get(host);
    if (member) member.started = true;
  }

  /** Host `host` moved on to deploy `index` (it left every barrier of earlier deploys behind). */
  enterDeploy(host: string, index: number): void {
    const member = this.#members.get(host);
    if (!member) return;
    member.deploy = index;
    member.ops = 0;
    this.#settle();
  }

  /** Host `host` finished or failed (`error`): nobody waits for it any more. */
  hostEnded(host: string, error?: string): void {
    const member = this.#members.get(host);
    if (error !== undefined) this.#failures.set(host, error);
    if (!member || member.ended) return;
    member.ended = true;
    this.#settle();
  }

  /** Waits at barrier `name` until every running host of the batch reached it or ended. */
  async barrier(host: string, name: string): Promise<void> {
    const member = this.#member(host);
    const seenKey = `${member.deploy}\0${name}`;
    const nth = (member.seen.get(seenKey) ?? 0) + 1;
    member.seen.set(seenKey, nth);
    const key = `${seenKey}\0${nth}`;
    let barrier = this.#barriers.get(key);
    if (!barrier) {
      barrier = {
        name,
        deploy: member.deploy,
        arrived: new Set(),
        started: performance.now(),
        passed: false,
        waiters: [],
      };
      this.#barriers.set(key, barrier);
    }
    if (barrier.passed) return;
    barrier.arrived.add(host);
    const open = barrier;
    const done = new Promise<void>((resolve, reject) => open.waiters.push({ resolve, reject }));
    this.#emit({
      type: "barrier-wait",
      host,
      barrier: name,
      batch: this.#batch,
      arrived: open.arrived.size,
      total: this.#running(),
    });
    await this.#waiting(member, () => (this.#settle(), done));
  }

  /**
   * Runs `fn` on the first host to ask for `key` (once per run); every
   * caller gets its value, or its error.
   */
  async once<T>(
    key: string,
    fn: () => Promise<T>,
    { host, label = key }: { host: string; label?: string },
  ): Promise<{ host: string; value: T }> {
    let running = this.#once.get(key);
    if (!running) {
      this.#emit({ type: "run-once", host, key: label });
      running = fn().then((value) => ({ host, value }));
      running.catch(() => {});
      this.#once.set(key, running);
      return await running as { host: string; value: T };
    }
    const member = this.#member(host);
    return await this.#waiting(member, () => this.#abortable(running)) as {
      host: string;
      value: T;
    };
  }

  /** Records `value` under `key` and hands it to every host waiting for it. */
  share(key: string, value: unknown): void {
    this.#shared.set(key, value);
    for (const waiter of this.#sharedWaiters.get(key) ?? []) waiter.resolve(value);
    this.#sharedWaiters.delete(key);
  }

  /** Waits for the value shared under `key`, at most `timeout` seconds. */
  async shared(
    host: string,
    key: string,
    { timeout }: { timeout?: number } = {},
  ): Promise<unknown> {
    if (this.#shared.has(key)) return this.#shared.get(key);
    const member = this.#member(host);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = new Promise<unknown>((resolve, reject) => {
      const waiter = { host, resolve, reject };
      const waiters = this.#sharedWaiters.get(key) ?? new Set();
      waiters.add(waiter);
      this.#sharedWaiters.set(key, waiters);
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No host shared "${key}" within ${timeout} s`));
        }, timeout * 1000);
      }
    });
    try {
      return await this.#waiting(member, () => (this.#settle(), wait));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Under the linear strategy, waits until every running host of the batch
   * made as many operation calls in this deploy (hosts still in an earlier
   * deploy first finish it; hosts waiting at a barrier or for a value, or in
   * a later deploy, hold nobody back).
   */
  beforeOperation(host: string): Promise<void> | undefined {
    const member = this.#members.get(host);
    if (!member) return undefined;
    member.ops++;
    if (this.#strategy !== "linear") return undefined;
    const count = member.ops;
    const done = new Promise<void>((resolve, reject) =>
      this.#linear.push({ host, deploy: member.deploy, count, resolve, reject })
    );
    this.#settle();
    return done;
  }

  #member(host: string): Member {
    const member = this.#members.get(host);
    if (!member) throw new Error(`Host "${host}" is not running in this batch`);
    return member;
  }

  #running(): number {
    let count = 0;
    for (const member of this.#members.values()) if (member.started && !member.ended) count++;
    return count;
  }

  async #waiting<T>(member: Member, wait: () => Promise<T>): Promise<T> {
    if (this.#signal?.aborted) throw new Error("Interrupted");
    member.waiting++;
    try {
      return await wait();
    } finally {
      member.waiting--;
    }
  }

  #abortable<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.add(reject);
      promise.then(resolve, reject).finally(() => this.#pending.delete(reject));
    });
  }

  /** Passes every barrier all running hosts reached, frees lock-step waiters, fails hopeless shared waits. */
  #settle(): void {
    for (const barrier of this.#barriers.values()) {
      if (barrier.passed) continue;
      let ready = true;
      for (const [name, member] of this.#members) {
        if (!member.started || member.ended || member.deploy > barrier.deploy) continue;
        if (barrier.arrived.has(name)) continue;
        ready = false;
        break;
      }
      if (!ready) continue;
      barrier.passed = true;
      this.#emit({
        type: "barrier-pass",
        barrier: barrier.name,
        batch: this.#batch,
        hosts: barrier.arrived.size,
        seconds: (performance.now() - barrier.started) / 1000,
      });
      for (const waiter of barrier.waiters) waiter.resolve();
    }
    if (this.#linear.length > 0) {
      this.#linear = this.#linear.filter((waiter) => {
        for (const [name, member] of this.#members) {
          if (name === waiter.host || !member.started || member.ended) continue;
          if (member.waiting > 0 || member.deploy > waiter.deploy) continue;
          if (member.deploy < waiter.deploy || member.ops < waiter.count) return true;
        }
        waiter.resolve();
        return false;
      });
    }
    for (const [key, waiters] of this.#sharedWaiters) {
      for (const waiter of waiters) {
        const others = [...this.#members].filter(([name, m]) =>
          name !== waiter.host && !m.ended && (!m.started || m.waiting === 0)
        );
        if (others.length > 0) continue;
        const failed = [...this.#failures.keys()];
        waiters.delete(waiter);
        waiter.reject(
          new Error(
            `No host shared "${key}"${
              failed.length > 0 ? `: ${failed.join(", ")} failed` : " and none still running could"
            }`,
          ),
        );
      }
    }
  }

  #interrupt(): void {
    const error = new Error("Interrupted");
    for (const barrier of this.#barriers.values()) {
      for (const waiter of barrier.waiters) waiter.reject(error);
      barrier.waiters = [];
    }
    for (const waiters of this.#sharedWaiters.values()) {
      for (const waiter of waiters) waiter.reject(error);
    }
    this.#sharedWaiters.clear();
    for (const waiter of this.#linear) waiter.reject(error);
    this.#linear = [];
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }
}
