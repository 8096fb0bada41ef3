/**
 * Runs a user boat module with no network, no processes, no environment and
 * no writes, and posts its hosts back to the main thread.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { encode } from "./codec.ts";

self.onmessage = async (event: MessageEvent<{ path: string; config: Record<string, unknown> }>) => {
  const { path, config } = event.data;
  try {
    const module = await import(new URL(`file://${path}`).href);
    const boat = module.default ?? module.boat;
    if (!boat || typeof boat.hosts !== "function") {
      throw new Error("the module must export default { name, hosts(config) }");
    }
    if (boat.checkConnection && !(await boat.checkConnection(config))) {
      throw new Error(`checkConnection() of boat ${boat.name ?? path} failed`);
    }
    const result = boat.hosts(config);
    const hosts: Record<string, unknown> = {};
    if (result && typeof result === "object" && Symbol.asyncIterator in result) {
      for await (const [name, data] of result as AsyncIterable<[string, unknown]>) {
        hosts[name] = data;
      }
    } else Object.assign(hosts, await result);
    self.postMessage({ ok: true, name: boat.name, hosts: encode(hosts) });
  } catch (error) {
    self.postMessage({ ok: false, message: (error as Error)?.message ?? String(error) });
  }
};
