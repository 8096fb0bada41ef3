/**
 * Fault case 27: remote paths with spaces, quotes, `$`, a newline and a
 * leading dash in every file operation (files.sync and files.get included),
 * over `@local` and `@ssh`: each does its work on exactly that path, nothing
 * temporary is left on either side, and a second run changes nothing.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

const WEIRD = `-x a'b"c$d\`e\nf`;

function deployText(dir: string): string {
  const root = `${dir}/remote`;
  const at = (name: string) => JSON.stringify(`${root}/${WEIRD}/${name}`);
  return `export default async ({ ops }) => {
  await ops.files.directory(${JSON.stringify(`${root}/${WEIRD}`)});
  await ops.files.file(${at(`-file ${WEIRD}`)});
  await ops.files.put("src.txt", ${at(`-put ${WEIRD}`)});
  await ops.files.template("t.j2", ${at("-tpl")}, { data: { name: "x" } });
  await ops.files.line(${at(`-file ${WEIRD}`)}, "added line");
  await ops.files.block(${at(`-file ${WEIRD}`)}, "block body");
  await ops.files.replace(${JSON.stringify(`${root}/-rep ${WEIRD}`)}, "hello", "bye");
  await ops.files.link(${at("-link")}, ${at(`-put ${WEIRD}`)});
  await ops.files.sync("tree", ${at(`-sync ${WEIRD}`)});
  await ops.files.get(${at(`-put ${WEIRD}`)}, ${JSON.stringify(`${dir}/got/-got ${WEIRD}`)});
};
`;
}

async function check(dir: string): Promise<void> {
  const root = `${dir}/remote`;
  const base = `${root}/${WEIRD}`;
  const file = await Deno.readTextFile(`${base}/-file ${WEIRD}`);
  strictEqual(
    file,
    "added line\n# BEGIN SKIFF MANAGED BLOCK\nblock body\n# END SKIFF MANAGED BLOCK\n",
  );
  strictEqual(await Deno.readTextFile(`${base}/-put ${WEIRD}`), "source\n");
  strictEqual(await Deno.readTextFile(`${base}/-tpl`), "hello x\n");
  strictEqual(await Deno.readTextFile(`${root}/-rep ${WEIRD}`), "bye\n");
  strictEqual(await Deno.readLink(`${base}/-link`), `${base}/-put ${WEIRD}`);
  strictEqual(await Deno.readTextFile(`${base}/-sync ${WEIRD}/-in ${WEIRD}`), "inner\n");
  deepStrictEqual(
    [...Deno.readDirSync(`${base}/-sync ${WEIRD}`)].map((e) => e.name),
    [`-in ${WEIRD}`],
  );
  strictEqual(await Deno.readTextFile(`${dir}/got/-got ${WEIRD}`), "source\n");
  deepStrictEqual(
    [...Deno.readDirSync(base)].map((e) => e.name).sort(),
    [`-file ${WEIRD}`, "-link", `-put ${WEIRD}`, `-sync ${WEIRD}`, "-tpl"].sort(),
    "no temporary file left on the host",
  );
  deepStrictEqual(
    [...Deno.readDirSync(root)].map((e) => e.name).sort(),
    [WEIRD, `-rep ${WEIRD}`].sort(),
  );
  deepStrictEqual(
    [...Deno.readDirSync(`${dir}/got`)].map((e) => e.name),
    [`-got ${WEIRD}`],
    "no temporary file left on the controller",
  );
}

async function setUp(dir: string): Promise<string> {
  await Deno.chmod(dir, 0o777);
  await Deno.writeTextFile(`${dir}/src.txt`, "source\n");
  await Deno.writeTextFile(`${dir}/t.j2`, "hello {{ name }}\n");
  await Deno.mkdir(`${dir}/tree`);
  await Deno.writeTextFile(`${dir}/tree/-in ${WEIRD}`, "inner\n");
  await Deno.mkdir(`${dir}/got`);
  await Deno.mkdir(`${dir}/remote`, { mode: 0o777 });
  await Deno.chmod(`${dir}/remote`, 0o777);
  await Deno.writeTextFile(`${dir}/remote/-rep ${WEIRD}`, "hello\n", { mode: 0o666 });
  await Deno.chmod(`${dir}/remote/-rep ${WEIRD}`, 0o666);
  await Deno.writeTextFile(`${dir}/weird.ts`, deployText(dir));
  return `${dir}/weird.ts`;
}

/** Deploys twice: the first run changes every operation's path, the second nothing. */
async function deployTwice(dir: string, target: string, extra: string[]): Promise<void> {
  const deploy = await setUp(dir);
  const args = ["deploy", target, deploy, "-y", "--allow-write", `${dir}/got`, ...extra];
  const first = await runSkiff(args);
  strictEqual(first.code, 0, first.stdout + first.stderr);
  strictEqual(first.stdout.split(": changed (").length - 1, 10, first.stdout);
  await check(dir);
  const second = await runSkiff(args);
  strictEqual(second.code, 0, second.stdout + second.stderr);
  strictEqual(second.stdout.includes(": changed"), false, second.stdout);
  await check(dir);
}

Deno.test("fault 27: paths with spaces, quotes, $, a newline and a leading dash in every file operation", async (t) => {
  await t.step("@local", async () => {
    await using dir = await tempDir();
    await deployTwice(dir.path, "@local", []);
  });
  await t.step("@local --sudo (files.sync by sha256 listing, files.get through cat)", async () => {
    await using dir = await tempDir();
    await deployTwice(dir.path, "@local", ["--sudo"]);
  });
  await t.step("@ssh (files.sync through rsync, files.get through SFTP)", async () => {
    await using sshd = await startSshd();
    await using dir = await tempDir();
    const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
    await deployTwice(dir.path, target, [
      "--data",
      `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
    ]);
  });
});
