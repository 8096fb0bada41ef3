/**
 * The bench's delay proxy forwards every byte in order both ways, passes a
 * half-close on, holds the first bytes for the TCP handshake it models, and
 * counts the flights a client waited for.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { flightStarts, type ProxyChunk, startDelayProxy } from "../../bench/delay_proxy.ts";

/** An echo server on a free port: writes back what it reads, closes its side after the client's EOF. */
function echoServer(): { port: number } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      (async () => {
        for await (const chunk of conn.readable.pipeThrough(new TransformStream())) {
          await conn.write(chunk);
        }
        conn.close();
      })().catch(() => {});
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await serving;
    },
  };
}

Deno.test("the delay proxy keeps order both ways, passes EOF on, and delays the handshake", async () => {
  await using server = echoServer();
  const chunks: ProxyChunk[] = [];
  await using proxy = await startDelayProxy({ port: server.port }, {
    delayMs: 50,
    trace: (chunk) => chunks.push(chunk),
  });
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
  const sent = Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join("");
  const reading = new Response(conn.readable).text();
  const bytes = new TextEncoder().encode(sent);
  for (let at = 0; at < bytes.length; at += 97) await conn.write(bytes.subarray(at, at + 97));
  await conn.closeWrite();
  const firstAnswer = await reading.then((text) => ({ text, at: performance.now() }));
  strictEqual(firstAnswer.text, sent);
  // Handshake (3 one-way delays) and the echo's way back: no byte can be back sooner.
  strictEqual(firstAnswer.at - started >= 4 * 50, true, `${firstAnswer.at - started} ms`);
  deepStrictEqual([proxy.stats.connections, proxy.stats.up, proxy.stats.down], [
    1,
    bytes.length,
    bytes.length,
  ]);
  // One handshake, then one flight: the client sent everything before any answer came.
  strictEqual(flightStarts(chunks).length, 2);
});
