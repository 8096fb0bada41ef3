/**
 * The cost of coordination: 32 loopback sshd hosts (each its own sshd
 * process) run a deploy of 20 steps (one shell command each), once with a
 * barrier after every step and once without. Target: the barriers add at
 * most 10% wall time when hosts are equally fast. skiff runs as the
 * operator runs it (the CLI with the binary's flags); each variant runs
 * five times, alternating; the best and the median wall times are shown.
 *
 * Usage: deno run --allow-read --allow-write --allow-net --allow-run --allow-env --allow-sys
 *          bench/barrier_bench.ts [HOSTS]   (default 32)
 *
 * @module
 */

import { RUN_FLAGS } from "../lib/build/permissions.ts";
import { sshFleet } from "../tests/helpers/ssh_fleet.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

function deploy(barriers: boolean): string {
  return `export default async function ({ ops, barrier }) {
  for (let step = 0; step < 20; step++) {
    await ops.server.shell(["echo step " + step + " > /dev/null"]);
    ${barriers ? 'await barrier("step " + step);' : ""}
  }
}
`;
}

async function wallMs(fleet: string, deployPath: string): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...RUN_FLAGS, MAIN, "deploy", fleet, deployPath, "-y"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - started;
  if (!output.success) {
    throw new Error(`skiff deploy failed:\n${new TextDecoder().decode(output.stdout)}`);
  }
  return ms;
}

/** Runs both variants on `count` hosts and prints the comparison; returns the ratio. */
export async function benchBarriers(count = 32): Promise<number> {
  const names = Array.from({ length: count }, (_, i) => `h${i}`);
  await using fleet = await sshFleet(count, names);
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-barriers-" });
  try {
    const fleetPath = await fleet.write(dir);
    await Deno.writeTextFile(`${dir}/plain.ts`, deploy(false));
    await Deno.writeTextFile(`${dir}/barriers.ts`, deploy(true));
    const plain: number[] = [];
    const barriers: number[] = [];
    for (let round = 0; round < 5; round++) {
      plain.push(await wallMs(fleetPath, `${dir}/plain.ts`));
      barriers.push(await wallMs(fleetPath, `${dir}/barriers.ts`));
    }
    const best = (runs: number[]) => Math.min(...runs);
    const median = (runs: number[]) => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    const ratio = best(barriers) / best(plain);
    console.log(`== ${count} hosts, 20 shell steps`);
    console.log(
      `without barriers       best wall ${best(plain).toFixed(0).padStart(6)} ms  (runs: ${
        plain.map((n) => n.toFixed(0)).join(", ")
      })`,
    );
    console.log(
      `a barrier after each   best wall ${best(barriers).toFixed(0).padStart(6)} ms  (runs: ${
        barriers.map((n) => n.toFixed(0)).join(", ")
      })`,
    );
    console.log(
      `ratio barriers/plain: best ${ratio.toFixed(2)}, median ${
        (median(barriers) / median(plain)).toFixed(2)
      } (target <= 1.10)`,
    );
    return ratio;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await benchBarriers(Deno.args.length > 0 ? Number(Deno.args[0]) : 32);
