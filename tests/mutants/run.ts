/**
 * `deno task mutants [--sample N] [ID…]`: applies each row of the mutation
 * table (tests/mutants/table.ts) alone to a scratch copy of the repository,
 * runs the tests that must catch it, and reports survivors. Exit 1 when a
 * mutant survives or a row no longer matches its file (a stale row).
 *
 * `--sample N` runs N rows spread evenly over the table (the same ones every
 * time), for CI; IDs run just those rows.
 *
 * @module
 */

import { type Mutant, MUTANTS } from "./table.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TEST_FLAGS = [
  "test",
  "--no-check",
  "--quiet",
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-run",
  "--allow-env",
  "--allow-sys",
];

/** Rows spread evenly over the table: the same `count` rows on every run. */
export function sample<T>(rows: readonly T[], count: number): T[] {
  if (count >= rows.length) return [...rows];
  return Array.from({ length: count }, (_, i) => rows[Math.floor((i * rows.length) / count)]);
}

/** The file with the mutation applied; throws when `original` is not there exactly once. */
export function mutate(text: string, mutant: Mutant): string {
  const count = text.split(mutant.original).length - 1;
  if (count !== 1) {
    throw new Error(
      `Mutant ${mutant.id}: "${mutant.original}" occurs ${count} times in ${mutant.file}, not once (stale row)`,
    );
  }
  return text.replace(mutant.original, () => mutant.replacement);
}

async function git(args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd: ROOT, stderr: "inherit" }).output();
  if (!out.success) throw new Error(`git ${args.join(" ")} failed`);
  return new TextDecoder().decode(out.stdout);
}

/** A scratch copy of the working tree: tracked and untracked files, not ignored ones. */
async function scratchCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-mutants-" });
  const files = (await git(["ls-files", "--cached", "--others", "--exclude-standard", "-z"]))
    .split("\0").filter(Boolean);
  for (const file of files) {
    const slash = file.lastIndexOf("/");
    if (slash !== -1) await Deno.mkdir(`${dir}/${file.slice(0, slash)}`, { recursive: true });
    await Deno.copyFile(`${ROOT}${file}`, `${dir}/${file}`).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // deleted, not yet committed
    });
  }
  return dir;
}

/** Runs test files in the scratch copy; true when they all pass. */
/** Seconds a mutant's tests may take before they are killed (and the mutant counts as caught). */
export const MUTANT_LIMIT = 180;
/** Seconds the unmutated run of every row's tests may take. */
const BASELINE_LIMIT = 1800;

async function testsPass(
  dir: string,
  tests: readonly string[],
  limitSeconds: number,
): Promise<boolean | "timed out"> {
  // A session of its own (setsid), so a run past its limit is killed with all it started.
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), ...TEST_FLAGS, ...tests],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }, limitSeconds * 1000);
  try {
    const status = await child.status;
    return timedOut ? "timed out" : status.success;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one mutant: "caught" when its tests fail, "timed out" when they hang
 * past {@linkcode MUTANT_LIMIT} (a hang is a failure too: killed, it never passes).
 */
async function caught(dir: string, mutant: Mutant): Promise<"caught" | "timed out" | false> {
  const path = `${dir}/${mutant.file}`;
  const original = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, mutate(original, mutant));
  try {
    const passed = await testsPass(dir, mutant.tests, MUTANT_LIMIT);
    return passed === "timed out" ? passed : passed ? false : "caught";
  } finally {
    await Deno.writeTextFile(path, original);
  }
}

if (import.meta.main) {
  const args = [...Deno.args];
  const sampleAt = args.indexOf("--sample");
  const count = sampleAt === -1 ? undefined : Number(args.splice(sampleAt, 2)[1]);
  const rows = args.length > 0
    ? MUTANTS.filter((m) => args.includes(m.id))
    : count !== undefined
    ? sample(MUTANTS, count)
    : [...MUTANTS];
  const dir = await scratchCopy();
  const started = performance.now();
  const survivors: string[] = [];
  const stale: string[] = [];
  try {
    // Unmutated, the same tests must pass: otherwise every mutant would look caught.
    const baseline = [...new Set(rows.flatMap((m) => m.tests))];
    const clean = await testsPass(dir, baseline, BASELINE_LIMIT);
    if (clean !== true) {
      console.log(
        `mutants: the tests ${
          clean === false ? "fail" : `did not finish within ${BASELINE_LIMIT} s`
        } without any mutation: ${baseline.join(" ")}`,
      );
      Deno.exit(1);
    }
    for (const mutant of rows) {
      const t0 = performance.now();
      let verdict: string;
      try {
        const result = await caught(dir, mutant);
        verdict = result === "timed out" ? "caught (hung, killed)" : result ? "caught" : "SURVIVED";
      } catch (error) {
        verdict = "STALE";
        stale.push(`${mutant.id}: ${(error as Error).message}`);
      }
      if (verdict === "SURVIVED") survivors.push(mutant.id);
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`${verdict.padEnd(8)} ${mutant.id} (${seconds} s)`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const total = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `mutants: ${
      rows.length - survivors.length - stale.length
    } caught, ${survivors.length} survived, ${stale.length} stale, of ${MUTANTS.length} in the table (${total} s)`,
  );
  for (const line of stale) console.log(line);
  if (survivors.length > 0 || stale.length > 0) Deno.exit(1);
}
