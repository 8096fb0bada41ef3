/**
 * Fault case 25's memory: `skiff deploy` whose `server.shell` prints 200 MiB
 * on @local. Prints skiff's peak resident memory (VmHWM, read from /proc by
 * this bench, not by skiff) and the time; the result keeps only the first and
 * last MiB of each stream, so the peak stays near an idle run's.
 *
 * @module
 */

import { skiffArgs } from "../tests/helpers/cli.ts";

/** Peak RSS in MiB of a process, from /proc/PID/status; undefined once it is gone. */
function peakMiB(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return kib / 1024;
  } catch {
    return undefined;
  }
}

/** Runs a deploy printing `mib` MiB (plain 64-character lines) and reports skiff's peak RSS. */
export async function benchOutputMemory(mib = 200): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-" });
  try {
    const lines = mib * 1024 * 1024 / 64;
    await Deno.writeTextFile(
      `${dir}/loud.ts`,
      `export default async ({ ops }) => {\n  await ops.server.shell(${
        JSON.stringify(
          `yes 012345678901234567890123456789012345678901234567890123456789012 | head -n ${lines}`,
        )
      });\n};\n`,
    );
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: skiffArgs(["deploy", "@local", `${dir}/loud.ts`, "-y", "--json"]),
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let peak = 0;
    const timer = setInterval(() => peak = Math.max(peak, peakMiB(child.pid) ?? 0), 50);
    const status = await child.output();
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `skiff deploy, server.shell printing ${mib} MiB: peak RSS ${peak.toFixed(0)} MiB, ` +
        `${seconds.toFixed(1)} s, exit ${status.code}`,
    );
    return peak;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await benchOutputMemory(Number(Deno.args[0] ?? 200));
