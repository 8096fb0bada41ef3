/**
 * Fault cases 13 (the target's disk fills during an upload) and 14 (a
 * read-only destination), on a tiny tmpfs mounted in a private mount
 * namespace (root only): exit 1, a clear message, and neither a partial file
 * nor a temporary one left.
 */

import { strictEqual } from "node:assert/strict";
import { skiffArgs, TEST_RUN_LOCK } from "../helpers/cli.ts";
import { requireRoot } from "../helpers/require.ts";
import { tempDir } from "../helpers/temp.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";

/** Mounts a 64 KiB tmpfs on `dir/mnt` (read-only when asked), runs skiff, then lists the mount. */
async function inTinyDisk(
  dir: string,
  options: { readOnly: boolean; deploy: string },
): Promise<{ code: number; stdout: string; left: string }> {
  const skiff = [Deno.execPath(), ...skiffArgs(["deploy", "@local", options.deploy, "-y"])]
    .map((arg) => `'${arg.replaceAll("'", `'"'"'`)}'`).join(" ");
  const script = `mount -t tmpfs -o size=64k${options.readOnly ? ",ro" : ""} tmpfs ${dir}/mnt && ` +
    `${skiff}; echo "exit=$?"; echo "left=$(ls -A ${dir}/mnt | tr '\\n' ' ')"`;
  const out = await new Deno.Command("unshare", {
    args: ["-m", "--propagation", "private", "sh", "-c", script],
    env: { NO_COLOR: "1", SKIFF_RUN_LOCK: TEST_RUN_LOCK },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const code = Number(/^exit=(\d+)$/m.exec(stdout)?.[1]);
  const left = /^left=(.*)$/m.exec(stdout)?.[1] ?? "?";
  return { code, stdout, left: left.trim() };
}

Deno.test("faults 13 and 14: a full or read-only target disk fails the upload and leaves nothing", async (t) => {
  requireRoot("mounting a tmpfs");
  await using dir = await tempDir();
  await Deno.mkdir(dir.join("mnt"));
  await Deno.writeFile(dir.join("big.bin"), new Uint8Array(1024 * 1024).fill(7));
  const deploy = dir.join("put.ts");
  await Deno.writeTextFile(
    deploy,
    `export default async ({ ops }) => {\n  await ops.files.put("big.bin", ${
      JSON.stringify(dir.join("mnt/big.bin"))
    });\n};\n`,
  );
  await t.step("13: disk full", async () => {
    const run = await inTinyDisk(dir.path, { readOnly: false, deploy });
    strictEqual(run.code, 1, run.stdout);
    strictEqual(run.stdout.includes("[@local] files.put big.bin: failed: "), true, run.stdout);
    strictEqual(/No space left on device/.test(run.stdout), true, run.stdout);
    strictEqual(run.left, "", "no partial and no temporary file");
  });
  await t.step("14: read-only destination", async () => {
    const run = await inTinyDisk(dir.path, { readOnly: true, deploy });
    strictEqual(run.code, 1, run.stdout);
    strictEqual(run.stdout.includes("[@local] files.put big.bin: failed: "), true, run.stdout);
    strictEqual(/Read-only file system/.test(run.stdout), true, run.stdout);
    strictEqual(run.left, "");
  });
});

Deno.test("fault 12: a known_hosts that cannot be written under accept-new refuses the host, naming the file", async () => {
  requireRoot("mounting a tmpfs");
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.mkdir(dir.join("mnt"));
  const known = dir.join("mnt/known_hosts");
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const skiff = [
    Deno.execPath(),
    ...skiffArgs([
      "exec",
      target,
      "--data",
      `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${known},ssh_strict_host_key_checking=accept-new`,
      "--",
      "echo ran",
    ]),
  ].map((arg) => `'${arg.replaceAll("'", `'"'"'`)}'`).join(" ");
  const mnt = dir.join("mnt");
  const script = `mount -t tmpfs tmpfs ${mnt} && : > ${known} && mount -o remount,ro ${mnt} && ` +
    `${skiff}; echo "exit=$?"; echo "known=$(cat ${known})"`;
  const out = await new Deno.Command("unshare", {
    args: ["-m", "--propagation", "private", "sh", "-c", script],
    env: { NO_COLOR: "1", SKIFF_RUN_LOCK: TEST_RUN_LOCK },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  strictEqual(stdout, "exit=1\nknown=\n", "nothing ran, nothing written");
  strictEqual(
    new TextDecoder().decode(out.stderr).split("\n")[0],
    `[${target}] could not connect: Cannot record the host key of 127.0.0.1:${sshd.port} in ${known}: ` +
      `Read-only file system (os error 30): writefile '${known}'`,
  );
});
