/**
 * The facts `server.memory`, `server.cpus` and `network.addresses` on
 * @local through a session, each against what the test reads itself from
 * another source: /sys/devices/system/cpu/online, /proc/meminfo read here,
 * and `ip -j addr` (JSON) with /sys/class/net.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { AddressFact, MemoryFact } from "../../lib/api/mod.ts";
import { FACTS } from "../../lib/facts/registry.ts";
import { runProcess } from "../../lib/process.ts";
import { localHarness } from "../helpers/ops.ts";

async function read(argv: string[]): Promise<string> {
  const out = await runProcess(argv);
  strictEqual(out.exitCode, 0, out.output.stderr);
  return out.output.stdout;
}

Deno.test("server.cpus is the number of processors /sys says are online", async () => {
  const online = (await read(["cat", "/sys/devices/system/cpu/online"])).trim();
  const count = online.split(",").reduce((sum, range) => {
    const [from, to = from] = range.split("-").map(Number);
    return sum + to - from + 1;
  }, 0);
  const { session } = localHarness();
  strictEqual(await session.fact(FACTS["server.cpus"]), count);
});

Deno.test("server.memory has /proc/meminfo's totals in bytes, and free and available within them", async () => {
  const kB = (text: string, key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, "m").exec(text)![1]);
  const { session } = localHarness();
  const memory = await session.fact(FACTS["server.memory"]) as MemoryFact;
  const text = await read(["cat", "/proc/meminfo"]);
  strictEqual(memory.total, kB(text, "MemTotal") * 1024);
  strictEqual(memory.swapTotal, kB(text, "SwapTotal") * 1024);
  // Free memory moves between two reads: only its unit and bounds are exact.
  for (const key of ["available", "free", "swapFree"] as const) {
    strictEqual(memory[key] % 1024, 0, key);
    strictEqual(memory[key] > 0 || key === "swapFree", true, key);
  }
  strictEqual(memory.available <= memory.total && memory.free <= memory.total, true);
  strictEqual(memory.swapFree <= memory.swapTotal, true);
});

Deno.test("network.addresses has each interface's addresses as `ip -j addr` lists them", async () => {
  const json = JSON.parse(await read(["ip", "-j", "addr", "show"])) as {
    ifname: string;
    addr_info: { family: "inet" | "inet6"; local: string; prefixlen: number }[];
  }[];
  const expected: Record<string, AddressFact[]> = {};
  for (const link of json) {
    if (link.addr_info.length === 0) continue;
    expected[link.ifname] = link.addr_info.map((a) => ({
      family: a.family,
      address: a.local,
      prefix: a.prefixlen,
    }));
  }
  const { session } = localHarness();
  const addresses = await session.fact(FACTS["network.addresses"]);
  deepStrictEqual(addresses, expected);
  // Every interface with an address is one /sys/class/net lists.
  const names = (await read(["ls", "/sys/class/net"])).split("\n");
  deepStrictEqual(Object.keys(expected).every((name) => names.includes(name)), true);
  strictEqual(Object.keys(expected).includes("lo"), true);
});
