/**
 * Network faults through the CLI against a real sshd: 6 (the link freezes
 * mid-upload: a proxy stops forwarding both ways). Each asserts the exit
 * code, the one failure line, and what is left on the host.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { spawnSkiff } from "../helpers/cli.ts";
import { startFreezeProxy } from "../helpers/freeze_proxy.ts";
import { startSshd, TEST_USER, type TestSshd } from "../helpers/sshd.ts";
import { randomBytes, tempDir } from "../helpers/temp.ts";

const decoder = new TextDecoder();

/** `--data` reaching `sshd` on `port` (a proxy's, say) with keepalives 1 s apart. */
async function sshData(sshd: TestSshd, dir: string, port = sshd.port): Promise<string[]> {
  const known = `${dir}/known_hosts.${port}`;
  await Deno.writeTextFile(known, `[127.0.0.1]:${port} ${sshd.hostKey}\n`);
  return [
    "--data",
    `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${known},ssh_keepalive_interval=1`,
  ];
}

/** The names in `dir`, sorted. */
function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

/** Waits up to `seconds` for `check` to hold; returns whether it did. */
async function eventually(check: () => boolean, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** The child's output, or a failure (the child killed) when it runs past `seconds`. */
async function outputWithin(
  child: Deno.ChildProcess,
  seconds: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const timer = setTimeout(() => child.kill("SIGKILL"), seconds * 1000);
  try {
    const output = await child.output();
    const run = {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
    strictEqual(output.signal, null, `skiff still ran after ${seconds} s: ${run.stdout}`);
    return run;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("fault 6: a link frozen mid-upload fails the host within the keepalive window, exit 1, and leaves no file once the host sees the drop", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  await Deno.writeFile(dir.join("big.bin"), randomBytes(32 * 1024 * 1024));
  const lost = "connection lost: no answer to 3 keepalives sent 1 s apart (ssh_keepalive_interval)";
  const sftp = (path: string, host: string) => `Upload to ${path} on ${host} failed: ${lost}`;
  const staged = (path: string, host: string) =>
    `Could not move the upload into "${path}" on ${host}: ${lost}`;
  const cases = [
    { name: "SFTP upload; then sshd sees the drop", put: "{}", end: "cut", error: sftp },
    { name: "SFTP upload; then the link is back", put: "{}", end: "thaw", error: sftp },
    {
      name: "an upload with an owner (streamed into a staged file); then sshd sees the drop",
      put: `{ user: ${JSON.stringify(TEST_USER)} }`,
      end: "cut",
      error: staged,
    },
  ] as const;
  for (const [index, { name, put, end, error }] of cases.entries()) {
    await t.step(name, async () => {
      await using target = await tempDir();
      await Deno.chmod(target.path, 0o777);
      await Deno.writeTextFile(target.join("big.bin"), "old\n");
      await Deno.chmod(target.join("big.bin"), 0o666);
      const deploy = dir.join("put.ts");
      await Deno.writeTextFile(
        deploy,
        `export default async ({ ops }) => {\n  await ops.files.put("big.bin", ${
          JSON.stringify(target.join("big.bin"))
        }, ${put});\n};\n`,
      );
      await using proxy = startFreezeProxy(sshd.port, 2 * 1024 * 1024);
      const host = `@ssh/${TEST_USER}@127.0.0.1:${proxy.port}`;
      // A lock of its own: the run that lost its host could not release the one it took there.
      const env = { SKIFF_RUN_LOCK: dir.join(`lock${index}`) };
      const child = spawnSkiff(
        ["deploy", host, deploy, "-y", ...await sshData(sshd, dir.path, proxy.port)],
        { env },
      );
      const output = outputWithin(child, 60);
      const froze = await Promise.race([proxy.frozen.then(() => true), output.then(() => false)]);
      const frozenAt = performance.now();
      const run = await output;
      strictEqual(froze, true, `skiff ended before the link froze: ${run.stdout}${run.stderr}`);
      const seconds = (performance.now() - frozenAt) / 1000;
      strictEqual(run.code, 1, run.stdout + run.stderr);
      strictEqual(
        run.stdout.split("\n")[0],
        `[${host}] files.put big.bin: failed: ${error(target.join("big.bin"), host)}`,
        run.stdout + run.stderr,
      );
      // 3 keepalives 1 s apart and one more interval, then the disconnect.
      strictEqual(seconds < 10, true, `took ${seconds} s after the link froze`);
      strictEqual(await Deno.readTextFile(target.join("big.bin")), "old\n", "never truncated");
      if (end === "cut") proxy.cut();
      else proxy.thaw();
      strictEqual(
        await eventually(() => names(target.path).length === 1, 10),
        true,
        `left on the host: ${names(target.path).join(", ")}`,
      );
      deepStrictEqual(names(target.path), ["big.bin"]);
    });
  }
});
