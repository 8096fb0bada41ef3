/**
 * A userspace TCP proxy on 127.0.0.1 that forwards to a target port until
 * `freezeAfter` bytes went from its clients to the server (or `freeze()` is
 * called), then stops forwarding both ways: it reads nothing more from either
 * side and writes nothing, so both ends see a link that went silent (no FIN,
 * no RST). Later the link can come back ({@linkcode FreezeProxy.thaw}) or be
 * cut ({@linkcode FreezeProxy.cut}: both sockets closed, the server sees the
 * drop). It also counts round trips (`turns`) for tests that count them.
 *
 * @module
 */

/** A running proxy. */
export interface FreezeProxy extends AsyncDisposable {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** Bytes forwarded from clients to the server so far. */
  readonly forwardedUp: number;
  /**
   * Round trips so far: how many times a client sent something after the
   * server had sent something since the client last sent.
   */
  readonly turns: number;
  /** Settles once a connection has frozen. */
  readonly frozen: Promise<void>;
  /** Freezes every connection now. */
  freeze(): void;
  /** Forwards again what was held and what comes after (the link is back). */
  thaw(): void;
  /** Closes every connection on both sides (the server sees the drop). */
  cut(): void;
}

interface Link {
  client: Deno.TcpConn;
  server: Deno.TcpConn;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/**
 * Starts a proxy to `127.0.0.1:target` that freezes after `freezeAfter`
 * bytes upstream (never by itself when absent: call `freeze()`).
 */
export function startFreezeProxy(target: number, freezeAfter = Infinity): FreezeProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let limit = freezeAfter;
  const links = new Set<Link>();
  let up = 0;
  let turns = 0;
  let serverSpoke = true;
  let frozen = false;
  let closed = false;
  let gate = Promise.withResolvers<void>();
  const froze = Promise.withResolvers<void>();
  const freeze = () => {
    if (frozen) return;
    frozen = true;
    froze.resolve();
  };
  /** Waits while the link is frozen; false once the proxy is closed. */
  const open = async () => {
    while (frozen && !closed) await gate.promise;
    return !closed;
  };
  /** Copies `from` to `to`; before each chunk is read or written, waits while frozen. */
  const pump = async (from: Deno.TcpConn, to: Deno.TcpConn, upstream: boolean) => {
    const buffer = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        if (!await open()) break;
        const n = await from.read(buffer);
        if (n === null) break;
        let chunk = buffer.subarray(0, n);
        if (upstream && !frozen && up + n >= limit) {
          const allowed = Math.max(0, limit - up);
          await writeAll(to, chunk.subarray(0, allowed));
          up += allowed;
          chunk = chunk.subarray(allowed);
          freeze();
        }
        if (!await open()) break;
        if (upstream && chunk.length > 0 && serverSpoke) turns++;
        serverSpoke = !upstream && chunk.length > 0 ? true : upstream ? false : serverSpoke;
        await writeAll(to, chunk);
        if (upstream) up += chunk.length;
      }
      await to.closeWrite().catch(() => {});
    } catch {
      closeQuietly(from);
      closeQuietly(to);
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      try {
        const server = await Deno.connect({ hostname: "127.0.0.1", port: target });
        const link = { client, server };
        links.add(link);
        void Promise.all([pump(client, server, true), pump(server, client, false)])
          .finally(() => {
            closeQuietly(client);
            closeQuietly(server);
            links.delete(link);
          });
      } catch {
        closeQuietly(client);
      }
    }
  })().catch(() => {});
  const cut = () => {
    for (const { client, server } of links) {
      closeQuietly(client);
      closeQuietly(server);
    }
    links.clear();
  };
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get forwardedUp() {
      return up;
    },
    get turns() {
      return turns;
    },
    frozen: froze.promise,
    freeze,
    thaw() {
      frozen = false;
      limit = Infinity;
      gate.resolve();
      gate = Promise.withResolvers<void>();
    },
    cut,
    [Symbol.asyncDispose]: async () => {
      closed = true;
      listener.close();
      cut();
      gate.resolve();
      await accepting;
    },
  };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}
