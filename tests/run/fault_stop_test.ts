/**
 * Fault cases 18 (`_timeout` kills the whole process group) and 19 (Ctrl-C
 * during an upload) through the CLI: exit code, message, and nothing left
 * running or lying on the host.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff, spawnSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

/** True while `pid` is a live process (a zombie is dead; it only waits to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The pids written to `file`, one a line; fails unless there are `count`. */
async function pidsIn(file: string, count: number): Promise<number[]> {
  const pids = (await Deno.readTextFile(file)).trim().split("\n").map(Number);
  strictEqual(pids.length, count, `pids: ${pids.join(" ")}`);
  return pids;
}

Deno.test("fault 18: _timeout kills the command and everything it started in the background, exit 1", async (t) => {
  // The shell writes its own pid and those of a background and a foreground sleep.
  const command = (file: string) =>
    `echo $$ > ${file}; sleep 300 & echo $! >> ${file}; sh -c 'echo $$ >> ${file}; exec sleep 300'`;
  const check = async (target: string, file: string, extra: string[]) => {
    const started = performance.now();
    const run = await runSkiff([
      "exec",
      target,
      ...extra,
      "--data",
      "_timeout=1",
      "--",
      command(file),
    ]);
    const seconds = (performance.now() - started) / 1000;
    strictEqual(run.code, 1, run.stdout + run.stderr);
    strictEqual(run.stdout, "");
    strictEqual(
      run.stderr,
      `[${target}] command failed: timed out after 1 s\n0 of 1 hosts succeeded\n`,
    );
    strictEqual(seconds < 6, true, `took ${seconds} s`);
    const pids = await pidsIn(file, 3);
    deepStrictEqual(pids.filter(alive), [], "nothing left running");
  };
  await t.step("@local", async () => {
    await using dir = await tempDir();
    await check("@local", dir.join("pids"), []);
  });
  await t.step("@ssh", async () => {
    await using sshd = await startSshd();
    await using dir = await tempDir();
    await Deno.chmod(dir.path, 0o777);
    await check(`@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`, dir.join("pids"), [
      "--data",
      `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
    ]);
  });
});

Deno.test("fault 19: Ctrl-C during an upload over @ssh stops it at once and leaves no file on the host, exit 130", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const dest = dir.join("dest");
  await Deno.mkdir(dest, { mode: 0o777 });
  await Deno.chmod(dest, 0o777);
  // 128 MiB of zeros (sparse here, but every byte crosses the connection: no compression).
  await Deno.writeFile(dir.join("big.bin"), new Uint8Array());
  await Deno.truncate(dir.join("big.bin"), 128 * 1024 * 1024);
  await Deno.writeTextFile(
    dir.join("upload.ts"),
    `export default async ({ ops }) => {
  await ops.files.put("big.bin", ${JSON.stringify(`${dest}/big.bin`)});
  await ops.files.file(${JSON.stringify(`${dest}/after`)});
};
`,
  );
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const child = spawnSkiff([
    "deploy",
    target,
    dir.join("upload.ts"),
    "-y",
    "--data",
    `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
  ]);
  // Wait until the temporary file has bytes in it: the upload is under way.
  const uploading = async () => {
    for (const entry of Deno.readDirSync(dest)) {
      if ((await Deno.stat(`${dest}/${entry.name}`)).size > 0) return entry.name;
    }
    return undefined;
  };
  let temp: string | undefined;
  for (let i = 0; i < 1000 && temp === undefined; i++) {
    temp = await uploading();
    if (temp === undefined) await new Promise((r) => setTimeout(r, 10));
  }
  strictEqual(temp?.startsWith(".big.bin.skiff-"), true, `uploading to ${temp}`);
  const started = performance.now();
  child.kill("SIGINT");
  const output = await child.output();
  const seconds = (performance.now() - started) / 1000;
  const stdout = new TextDecoder().decode(output.stdout);
  strictEqual(output.code, 130, stdout + new TextDecoder().decode(output.stderr));
  strictEqual(stdout.split("\n")[0], `[${target}] files.put big.bin: failed: Interrupted`);
  assertIncludes(stdout, "1 host(s): 0 succeeded, 1 failed, interrupted\n");
  strictEqual(seconds < 3, true, `took ${seconds} s: the upload was not stopped`);
  deepStrictEqual([...Deno.readDirSync(dest)].map((e) => e.name), [], "nothing left on the host");
});
