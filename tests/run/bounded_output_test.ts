/**
 * Fault case 25: a command printing more than 2 MiB. The operation's result
 * keeps the first and the last MiB of each stream with a marker saying how
 * much was dropped, on every connector path (`@local` with and without its
 * persistent shell, `@ssh`); `exec` streams everything. Memory is measured by
 * `bench/output_memory.ts`.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";
import { droppedMarker } from "../../lib/core/output_collector.ts";

/** `seq -w 0 399999` prints 400,000 lines of 7 characters (newline counted). */
const KEPT = Math.floor(1024 * 1024 / 7); // 149,796 lines at each end
const DROPPED = 400_000 - 2 * KEPT;

const pad = (n: number) => String(n).padStart(6, "0");

async function deploy(dir: string): Promise<string> {
  const path = `${dir}/loud.ts`;
  await Deno.writeTextFile(
    path,
    `export default async ({ ops, log }) => {
  const r = await ops.server.shell("seq -w 0 399999; seq -w 0 399999 >&2");
  for (const text of [r.stdout, r.stderr]) {
    const lines = text.split("\\n");
    log(JSON.stringify([lines.length, lines[0], lines[${KEPT - 1}], lines[${KEPT}], lines[${
      KEPT + 1
    }], lines[lines.length - 1]]));
  }
};
`,
  );
  return path;
}

function expected(stream: "stdout" | "stderr"): string {
  return JSON.stringify([
    2 * KEPT + 1,
    pad(0),
    pad(KEPT - 1),
    droppedMarker(stream, { lines: DROPPED, size: DROPPED * 7 }),
    pad(KEPT + DROPPED),
    pad(399_999),
  ]);
}

Deno.test("fault 25: an operation result keeps the first and last MiB of each stream with a marker", async (t) => {
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const file = await deploy(dir.path);
  const logs = (stdout: string) =>
    stdout.split("\n").filter((line) => line.includes("] [")).map((line) =>
      line.slice(line.indexOf("] ") + 2)
    );
  for (const shell of ["true", "false"]) {
    await t.step(`@local, local_persistent_shell=${shell}`, async () => {
      const run = await runSkiff([
        "deploy",
        "@local",
        file,
        "-y",
        "--data",
        `local_persistent_shell=${shell}`,
      ]);
      strictEqual(run.code, 0, run.stderr);
      deepStrictEqual(logs(run.stdout), [expected("stdout"), expected("stderr")]);
    });
  }
  await using sshd = await startSshd();
  for (const shell of ["true", "false"]) {
    await t.step(`@ssh, ssh_persistent_shell=${shell}`, async () => {
      const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
      const run = await runSkiff([
        "deploy",
        target,
        file,
        "-y",
        "--data",
        `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts},` +
        `ssh_persistent_shell=${shell}`,
      ]);
      strictEqual(run.code, 0, run.stderr);
      deepStrictEqual(logs(run.stdout), [expected("stdout"), expected("stderr")]);
    });
  }
});

Deno.test("skiff exec streams all of a long output", async () => {
  const run = await runSkiff(["exec", "@local", "--", "seq", "-w", "0", "399999"]);
  strictEqual(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  strictEqual(lines.length, 400_000);
  strictEqual(lines[KEPT + 10], `[@local] ${pad(KEPT + 10)}`);
});
