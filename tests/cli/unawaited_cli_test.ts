import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

const DEPLOY = (dir: string) =>
  `export default async function ({ ops }) {
  ops.files.put({ content: "w\\n" }, "${dir}/made.txt");
  ops.files.put({ content: "x\\n" }, "${dir}/missing-dir/q.txt");
  await ops.server.shell("echo awaited");
}
`;

for (const kind of ["@local", "@ssh"]) {
  Deno.test(`an operation a deploy did not await still runs, is reported, and its failure fails the host (${kind})`, async () => {
    await using dir = await tempDir();
    await Deno.chmod(dir.path, 0o777);
    await Deno.writeTextFile(dir.join("deploy.ts"), DEPLOY(dir.path));
    const sshd = kind === "@ssh" ? await startSshd() : undefined;
    try {
      const target = sshd ? `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}` : "@local";
      const extra = sshd
        ? ["--data", `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`]
        : [];
      const run = await runSkiff(["deploy", target, dir.join("deploy.ts"), "-y", ...extra]);
      strictEqual(run.code, 1, run.stdout + run.stderr);
      strictEqual(await Deno.readTextFile(dir.join("made.txt")), "w\n");
      assertIncludes(run.stdout, `[${target}] not awaited: files.put at deploy.ts:2\n`);
      assertIncludes(run.stdout, `[${target}] not awaited: files.put at deploy.ts:3\n`);
      assertIncludes(run.stdout, "1 host(s): 0 succeeded, 1 failed");
      assertExcludes(run.stdout + run.stderr, "Uncaught");
      const leftovers = [...Deno.readDirSync(dir.path)].map((e) => e.name).filter((n) =>
        n.includes(".skiff-")
      );
      deepStrictEqual(leftovers, []);
    } finally {
      await sshd?.[Symbol.asyncDispose]();
    }
  });
}
