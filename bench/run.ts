/**
 * Benchmarks, each next to plain tools doing the same work (the floor).
 * `deno task bench` runs them all; each prints its ratios.
 *
 * @module
 */

import { LocalConnector } from "../connectors/local.ts";
import { runProcess, spawnShell } from "../lib/process.ts";

async function time(label: string, runs: number, fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(40)} ${(ms / runs).toFixed(2)} ms/run`);
  return ms;
}

/** 200 short commands on @local through skiff against `sh -c` spawned directly. */
export async function benchLocal(runs = 200): Promise<number> {
  const host = { name: "@local", data: {}, groups: [] };
  const perCommand = new LocalConnector(host, { runProcess });
  const withShell = new LocalConnector(host, { runProcess, spawnShell });
  await withShell.connect();
  const floor = await time(
    "plain: sh -c true",
    runs,
    () => new Deno.Command("sh", { args: ["-c", "true"] }).output(),
  );
  const shell = await time(
    "skiff: @local, persistent shell",
    runs,
    () => withShell.runShellCommand("true", { sharedShell: true }),
  );
  await time(
    "skiff: @local, operator command (sh -c)",
    runs,
    () => withShell.runShellCommand("true"),
  );
  await time(
    "skiff: @local, a process group each",
    runs,
    () => perCommand.runShellCommand("true"),
  );
  await withShell.disconnect();
  const ratio = shell / floor;
  console.log(`ratio skiff (persistent shell)/plain: ${ratio.toFixed(2)}`);
  return ratio;
}

if (import.meta.main) {
  const { benchSandbox } = await import("./sandbox_bench.ts");
  const { benchSsh } = await import("./ssh_bench.ts");
  const { benchDeploy } = await import("./deploy_bench.ts");
  const { benchBarriers } = await import("./barrier_bench.ts");
  const { benchOutputMemory } = await import("./output_memory_bench.ts");
  const { benchRtt } = await import("./rtt_bench.ts");
  const { benchLargeFiles } = await import("./large_file_bench.ts");
  console.log("== @local commands");
  await benchLocal();
  console.log("== deploy sandbox proxy");
  await benchSandbox();
  console.log("== @ssh against OpenSSH");
  await benchSsh();
  console.log("== deploy workload against OpenSSH scripts");
  for (const hosts of [1, 8, 32]) await benchDeploy(hosts);
  console.log("== 20 barriers against none, 32 hosts");
  await benchBarriers(32);
  console.log("== a command printing 200 MiB (peak memory)");
  await benchOutputMemory(200);
  console.log("== one host through a 20 ms RTT delay proxy, against OpenSSH through it");
  await benchRtt();
  console.log("== files.put and files.get of 1 GiB against cp, scp and ssh sudo cat");
  await benchLargeFiles(1024);
}
