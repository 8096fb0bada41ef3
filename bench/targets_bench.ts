/**
 * Every target of issue 16 with what was measured, the ratio and whether it
 * is met, as one Markdown table (`target | measured | ratio | met?`):
 *
 * - one host at 20 ms RTT against the OpenSSH floor, and round trips
 *   (`rtt_bench.ts`, the deploy workload only);
 * - `files.put`/`files.get` of a large file over `@ssh` against `scp`, the
 *   peak memory over a 1 KiB run's, and `@local` against `cp`
 *   (`large_file_bench.ts`; 64 MiB unless `--mib`, the issue says 1024);
 * - peak memory at 32 hosts and its growth per host from 32 to `--many`
 *   hosts (default 64; the issue measured 90), first runs on one set of
 *   sshd hosts in the same minute;
 * - 32 loopback hosts against the OpenSSH floor (`deploy_bench.ts`).
 *
 * The machine's load average is printed with the table: ratios are taken in
 * the same minute, seconds are not comparable between loaded runs.
 *
 * Usage: deno task bench:targets [--mib N] [--many N] [--runs N]
 *
 * @module
 */

import { benchDeploy, deployFleet, firstRunPeak } from "./deploy_bench.ts";
import { benchLargeFiles, type LargeFileResult } from "./large_file_bench.ts";
import { benchRtt, type TargetRow } from "./rtt_bench.ts";

/** What {@linkcode benchTargets} runs. */
export interface TargetOptions {
  /** Size of the large file, MiB (default 64). */
  mib?: number;
  /** Hosts the growth per host is measured up to, from 32 (default 64). */
  many?: number;
  /** Runs of each RTT in the round-trip bench (default 1). */
  runs?: number;
}

/** The large-file targets from {@linkcode benchLargeFiles}'s results. */
export function largeFileTargets(results: readonly LargeFileResult[], mib: number): TargetRow[] {
  const rows: TargetRow[] = [];
  for (const result of results) {
    const local = result.name.startsWith("@local ");
    if (local && !result.name.includes("files.put")) continue;
    const ratio = result.floorSeconds / result.seconds;
    const want = local ? 0.5 : 0.8;
    rows.push({
      target: `${result.name}: >= ${want}x ${local ? "cp" : "scp"} throughput`,
      measured: `${result.seconds.toFixed(2)} s vs ${result.floorSeconds.toFixed(2)} s`,
      ratio: `${ratio.toFixed(2)}x`,
      met: ratio >= want,
    });
    if (local) continue;
    const growth = result.peakMiB - result.idleMiB;
    rows.push({
      target: `${result.name}: peak <= idle + 32 MiB`,
      measured: `${result.peakMiB.toFixed(0)} MiB, idle ${result.idleMiB.toFixed(0)} (+${
        growth.toFixed(0)
      })`,
      ratio: `${(growth / 32).toFixed(2)}x`,
      met: growth <= 32,
    });
  }
  if (mib < 1024) {
    for (const row of rows) row.target += ` (${mib} MiB, not the issue's 1 GiB)`;
  }
  return rows;
}

/** Peak memory at 32 hosts and growth per host up to `many`, first runs on one set of hosts. */
export async function memoryTargets(many: number): Promise<TargetRow[]> {
  if (!Number.isInteger(many) || many <= 32) {
    throw new Error(`--many must be above 32, not ${many}`);
  }
  await using fleet = await deployFleet(many);
  const at32 = await firstRunPeak(fleet, 32);
  const atMany = await firstRunPeak(fleet, many);
  const growth = (atMany - at32) / (many - 32);
  return [
    {
      target: "peak memory at 32 hosts: <= 100 MiB",
      measured: `${at32.toFixed(1)} MiB`,
      ratio: `${(at32 / 100).toFixed(2)}x`,
      met: at32 <= 100,
    },
    {
      target: `growth per host from 32 to ${many} hosts: <= 0.3 MiB`,
      measured: `${growth.toFixed(2)} MiB (${at32.toFixed(1)} -> ${atMany.toFixed(1)} MiB)`,
      ratio: `${(growth / 0.3).toFixed(2)}x`,
      met: growth <= 0.3,
    },
  ];
}

/**
 * A Markdown table of `rows`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { targetTable } from "./targets_bench.ts";
 * strictEqual(
 *   targetTable([{ target: "t", measured: "1 s", ratio: "0.50x", met: true }]),
 *   "| target | measured | ratio | met? |\n|---|---|---|---|\n| t | 1 s | 0.50x | yes |",
 * );
 * ```
 */
export function targetTable(rows: readonly TargetRow[]): string {
  return [
    "| target | measured | ratio | met? |",
    "|---|---|---|---|",
    ...rows.map((row) =>
      `| ${row.target} | ${row.measured} | ${row.ratio} | ${row.met ? "yes" : "**no**"} |`
    ),
  ].join("\n");
}

/** Runs every part, prints each as it goes and then the table; returns the rows. */
export async function benchTargets(options: TargetOptions = {}): Promise<TargetRow[]> {
  const mib = options.mib ?? 64;
  const many = options.many ?? 64;
  const rows: TargetRow[] = [];
  const load = () => Deno.loadavg().map((n) => n.toFixed(1)).join(" ");
  console.log(`load average at the start: ${load()}`);
  console.log("== one host at 20 ms RTT");
  rows.push(...await benchRtt({ runs: options.runs ?? 1, only: "deploy" }));
  console.log(`== files.put and files.get of ${mib} MiB`);
  const large = [
    ...await benchLargeFiles(mib, "@local"),
    ...await benchLargeFiles(mib, "@ssh"),
  ];
  rows.push(...largeFileTargets(large, mib));
  console.log(`== peak memory at 32 and ${many} hosts`);
  rows.push(...await memoryTargets(many));
  console.log("== 32 loopback hosts against the OpenSSH floor");
  const deploy = await benchDeploy(32);
  const ratio = deploy.first.wall / deploy.floor.wall;
  rows.push({
    target: "32 loopback hosts, first run: <= 1.0x the OpenSSH floor",
    measured: `${deploy.first.wall.toFixed(0)} ms vs ${deploy.floor.wall.toFixed(0)} ms`,
    ratio: `${ratio.toFixed(2)}x`,
    met: ratio <= 1,
  });
  console.log(`\nload average at the end: ${load()}`);
  console.log(targetTable(rows));
  return rows;
}

if (import.meta.main) {
  const option = (name: string) => {
    const at = Deno.args.indexOf(name);
    return at >= 0 ? Number(Deno.args[at + 1]) : undefined;
  };
  await benchTargets({ mib: option("--mib"), many: option("--many"), runs: option("--runs") });
}
