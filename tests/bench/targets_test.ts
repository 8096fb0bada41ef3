/**
 * `bench/targets_bench.ts`: the rows it prints for the large-file results
 * (which targets, ratios, met or not, and the size note below 1 GiB).
 */

import { deepStrictEqual } from "node:assert/strict";
import { largeFileTargets } from "../../bench/targets_bench.ts";

const result = (name: string, seconds: number, floorSeconds: number, peakMiB: number) => ({
  name,
  seconds,
  floorSeconds,
  peakMiB,
  idleMiB: 90,
  idleSeconds: 1,
});

Deno.test("largeFileTargets: cp for @local puts only, scp speed and memory for @ssh", () => {
  const rows = largeFileTargets([
    result("@local files.put 1024 MiB", 1, 0.5, 91),
    result("@local files.get 1024 MiB", 1, 0.5, 91),
    result("@ssh files.put 1024 MiB", 10, 5, 150),
    result("@ssh files.get 1024 MiB", 5, 4.5, 110),
  ], 1024);
  deepStrictEqual(rows, [
    {
      target: "@local files.put 1024 MiB: >= 0.5x cp throughput",
      measured: "1.00 s vs 0.50 s",
      ratio: "0.50x",
      met: true,
    },
    {
      target: "@ssh files.put 1024 MiB: >= 0.8x scp throughput",
      measured: "10.00 s vs 5.00 s",
      ratio: "0.50x",
      met: false,
    },
    {
      target: "@ssh files.put 1024 MiB: peak <= idle + 32 MiB",
      measured: "150 MiB, idle 90 (+60)",
      ratio: "1.88x",
      met: false,
    },
    {
      target: "@ssh files.get 1024 MiB: >= 0.8x scp throughput",
      measured: "5.00 s vs 4.50 s",
      ratio: "0.90x",
      met: true,
    },
    {
      target: "@ssh files.get 1024 MiB: peak <= idle + 32 MiB",
      measured: "110 MiB, idle 90 (+20)",
      ratio: "0.63x",
      met: true,
    },
  ]);
});

Deno.test("largeFileTargets: below 1 GiB each row says the size it ran", () => {
  const rows = largeFileTargets([result("@local files.put 64 MiB", 1, 0.1, 90)], 64);
  deepStrictEqual(
    rows.map((row) => row.target),
    ["@local files.put 64 MiB: >= 0.5x cp throughput (64 MiB, not the issue's 1 GiB)"],
  );
});
