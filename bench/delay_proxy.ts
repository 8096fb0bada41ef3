/**
 * A userspace TCP forwarder that makes loopback look like a real network:
 * every chunk is delivered `delayMs` after it arrived, in each direction, in
 * order; a new connection reaches the server only after the TCP handshake
 * would have (SYN, SYN-ACK, ACK: 1.5 round trips), so the client's first
 * bytes and the server's banner arrive when they would over a link with a
 * round trip of `2 * delayMs`. A half-close (EOF) travels like data.
 *
 * Used by `bench/rtt_bench.ts`; `delayMs: 0` gives the same userspace path
 * without the delay, the baseline the added wall time is measured against.
 *
 * @example
 * ```ts ignore
 * await using proxy = await startDelayProxy({ port: 22 }, { delayMs: 10 });
 * // ssh -p ${proxy.port} 127.0.0.1 … now sees a 20 ms round trip
 * ```
 *
 * @module
 */

/** Where the proxy forwards to. */
export interface ProxyTarget {
  /** The server's address (default 127.0.0.1). */
  hostname?: string;
  /** The server's port. */
  port: number;
}

/** What a running proxy counts. */
export interface ProxyStats {
  /** Connections accepted. */
  connections: number;
  /** Bytes sent client to server. */
  up: number;
  /** Bytes sent server to client. */
  down: number;
}

/**
 * One chunk as the proxy received it: when (ms, `performance.now()`), on
 * which connection, which way (`open`: the client connected), how many bytes.
 */
export interface ProxyChunk {
  at: number;
  connection: number;
  way: "open" | "up" | "down";
  bytes: number;
}

/**
 * When each round trip the clients waited for began: per connection, the
 * TCP handshake, then every run of client chunks that follows an answer
 * (or opens the connection). Chunks a client sends before an answer to the
 * earlier ones came back travel in the same flight. A last flight nobody
 * waits for (a disconnect) counts too.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { flightStarts } from "./delay_proxy.ts";
 * const c = (at: number, way: "open" | "up" | "down") => ({ at, connection: 1, way, bytes: 1 });
 * deepStrictEqual(flightStarts([c(0, "open"), c(0, "up"), c(1, "up"), c(2, "down"), c(3, "up")]), [0, 0, 3]);
 * ```
 */
export function flightStarts(chunks: readonly ProxyChunk[]): number[] {
  const starts: number[] = [];
  const answered = new Map<number, boolean>();
  for (const chunk of chunks) {
    if (chunk.way === "open") {
      starts.push(chunk.at);
      answered.set(chunk.connection, true);
    } else if (chunk.way === "down") answered.set(chunk.connection, true);
    else if (answered.get(chunk.connection) !== false) {
      starts.push(chunk.at);
      answered.set(chunk.connection, false);
    }
  }
  return starts;
}

/** A running proxy; disposing it stops it and every connection through it. */
export interface DelayProxy extends AsyncDisposable {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** The one-way delay, ms. */
  readonly delayMs: number;
  /** Counters since the start. */
  readonly stats: ProxyStats;
}

interface Queued {
  at: number;
  chunk: Uint8Array | null;
}

/**
 * One direction of a connection: chunks wait in arrival order and leave
 * `delayMs` after they came (never before `notBefore`).
 */
class DelayedPipe {
  readonly #queue: Queued[] = [];
  #wake?: () => void;
  readonly #delayMs: number;
  #notBefore: number;

  constructor(delayMs: number, notBefore: number) {
    this.#delayMs = delayMs;
    this.#notBefore = notBefore;
  }

  /** Queues a chunk (null: the sender's EOF). */
  push(chunk: Uint8Array | null): void {
    this.#queue.push({ at: Math.max(performance.now() + this.#delayMs, this.#notBefore), chunk });
    this.#wake?.();
  }

  /** Delivers queued chunks to `to` until EOF; closes its write side then. */
  async drain(to: Deno.TcpConn): Promise<void> {
    for (;;) {
      while (this.#queue.length === 0) await new Promise<void>((r) => this.#wake = r);
      const { at, chunk } = this.#queue.shift()!;
      const wait = at - performance.now();
      if (wait > 0.5) await new Promise((r) => setTimeout(r, wait));
      if (chunk === null) {
        await to.closeWrite().catch(() => {});
        return;
      }
      for (let sent = 0; sent < chunk.length;) sent += await to.write(chunk.subarray(sent));
    }
  }
}

async function readInto(
  from: Deno.TcpConn,
  pipe: DelayedPipe,
  count: (bytes: number) => void,
): Promise<void> {
  const buffer = new Uint8Array(256 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      count(n);
      pipe.push(buffer.slice(0, n));
    }
  } catch {
    // Reset or closed under us: treat as EOF.
  }
  pipe.push(null);
}

async function relay(
  client: Deno.TcpConn,
  target: ProxyTarget,
  options: {
    delayMs: number;
    stats: ProxyStats;
    open: Set<Deno.TcpConn>;
    trace?: (chunk: ProxyChunk) => void;
  },
): Promise<void> {
  const { delayMs, stats, open, trace } = options;
  const connection = stats.connections;
  trace?.({ at: performance.now(), connection, way: "open", bytes: 0 });
  const accepted = performance.now();
  // The server accepts when the client's ACK arrives: SYN, SYN-ACK, ACK.
  const established = accepted + 3 * delayMs;
  const up = new DelayedPipe(delayMs, established);
  const reading = readInto(client, up, (bytes) => {
    stats.up += bytes;
    trace?.({ at: performance.now(), connection, way: "up", bytes });
  });
  await new Promise((r) => setTimeout(r, Math.max(0, established - performance.now())));
  let server: Deno.TcpConn;
  try {
    server = await Deno.connect({ hostname: target.hostname ?? "127.0.0.1", port: target.port });
  } catch {
    open.delete(client);
    client.close();
    return;
  }
  open.add(server);
  client.setNoDelay(true);
  server.setNoDelay(true);
  const down = new DelayedPipe(delayMs, 0);
  const results = await Promise.allSettled([
    reading,
    up.drain(server),
    readInto(server, down, (bytes) => {
      stats.down += bytes;
      trace?.({ at: performance.now(), connection, way: "down", bytes });
    }),
    down.drain(client),
  ]);
  void results;
  for (const conn of [client, server]) {
    open.delete(conn);
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  }
}

/**
 * Starts a proxy on a free 127.0.0.1 port forwarding to `target` with
 * `delayMs` each way; `trace` sees every chunk as it arrives.
 */
export function startDelayProxy(
  target: ProxyTarget,
  options: { delayMs: number; trace?: (chunk: ProxyChunk) => void },
): Promise<DelayProxy> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const stats: ProxyStats = { connections: 0, up: 0, down: 0 };
  const open = new Set<Deno.TcpConn>();
  const relays = new Set<Promise<void>>();
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        stats.connections++;
        open.add(conn);
        const running = relay(conn, target, { ...options, stats, open })
          .finally(() => relays.delete(running));
        relays.add(running);
      }
    } catch {
      // The listener was closed.
    }
  })();
  return Promise.resolve({
    port: (listener.addr as Deno.NetAddr).port,
    delayMs: options.delayMs,
    stats,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // Closed already.
        }
      }
      await accepting;
      await Promise.allSettled([...relays]);
    },
  });
}
