/**
 * The per-call overhead of the deploy sandbox: a deploy in the worker calls
 * a cached fact N times (each call is a message round trip to the main
 * thread), against the same calls made directly on the session.
 * Target: under 1 ms per operation.
 *
 * @module
 */

import { LocalConnector } from "../connectors/local.ts";
import { runProcess } from "../lib/process.ts";
import { runDeploys } from "../lib/run/runner.ts";
import { HostSession } from "../lib/run/session.ts";
import { hostname } from "../lib/facts/server.ts";

/** Measures and prints the proxy overhead; returns ms per call through the sandbox. */
export async function benchSandbox(calls = 2000): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-" });
  try {
    const deploy = `${dir}/proxy.ts`;
    await Deno.writeTextFile(
      deploy,
      `export default async function ({ facts, log }) {
  await facts.server.hostname();
  const started = performance.now();
  for (let i = 0; i < ${calls}; i++) await facts.server.hostname();
  log(String((performance.now() - started) / ${calls}));
}\n`,
    );
    const host = { name: "@local", data: {}, groups: [], connector: LocalConnector };
    let perCall = NaN;
    await runDeploys({
      inventory: { hosts: [host], config: {} },
      deployPaths: [deploy],
      cliArguments: {},
      dryRun: false,
      wantDiff: false,
      parallel: 1,
      context: { runProcess },
      emit: (event) => {
        if (event.type === "log") perCall = Number(event.message);
      },
    });
    const session = new HostSession(host, new LocalConnector(host, { runProcess }));
    await session.fact(hostname);
    const started = performance.now();
    for (let i = 0; i < calls; i++) await session.fact(hostname);
    const direct = (performance.now() - started) / calls;
    console.log(
      `sandboxed call: ${(perCall * 1000).toFixed(1)} µs, direct call: ${
        (direct * 1000).toFixed(1)
      } µs`,
    );
    console.log(
      `proxy overhead per operation: ${
        ((perCall - direct) * 1000).toFixed(1)
      } µs (target < 1000 µs)`,
    );
    return perCall;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await benchSandbox();
