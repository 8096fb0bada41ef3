/**
 * Fault case 27: remote paths with spaces, quotes, `$`, a newline and a
 * leading dash in every file operation, over `@local` and `@ssh` (there
 * without files.sync, whose rsync fails on it): each does its work on exactly
 * that path, nothing temporary is left, and a second run changes nothing.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

const WEIRD = `-x a'b"c$d\`e\nf`;

function deployText(root: string, sync: boolean): string {
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
  ${sync ? `await ops.files.sync("tree", ${at("-sync")});` : ""}
};
`;
}

async function check(root: string, sync: boolean): Promise<void> {
  const base = `${root}/${WEIRD}`;
  const file = await Deno.readTextFile(`${base}/-file ${WEIRD}`);
  strictEqual(file.startsWith("added line\n"), true, file);
  strictEqual(file.includes("block body"), true, file);
  strictEqual(await Deno.readTextFile(`${base}/-put ${WEIRD}`), "source\n");
  strictEqual(await Deno.readTextFile(`${base}/-tpl`), "hello x\n");
  strictEqual(await Deno.readTextFile(`${root}/-rep ${WEIRD}`), "bye\n");
  strictEqual(await Deno.readLink(`${base}/-link`), `${base}/-put ${WEIRD}`);
  if (sync) strictEqual(await Deno.readTextFile(`${base}/-sync/inner`), "inner\n");
  deepStrictEqual(
    [...Deno.readDirSync(base)].map((e) => e.name).sort(),
    ["-file " + WEIRD, "-link", "-put " + WEIRD, ...(sync ? ["-sync"] : []), "-tpl"].sort(),
    "no temporary file left",
  );
}

async function setUp(dir: string, sync: boolean): Promise<string> {
  await Deno.chmod(dir, 0o777);
  await Deno.writeTextFile(`${dir}/src.txt`, "source\n");
  await Deno.writeTextFile(`${dir}/t.j2`, "hello {{ name }}\n");
  await Deno.mkdir(`${dir}/tree`);
  await Deno.writeTextFile(`${dir}/tree/inner`, "inner\n");
  await Deno.mkdir(`${dir}/remote`, { mode: 0o777 });
  await Deno.chmod(`${dir}/remote`, 0o777);
  await Deno.writeTextFile(`${dir}/remote/-rep ${WEIRD}`, "hello\n", { mode: 0o666 });
  await Deno.chmod(`${dir}/remote/-rep ${WEIRD}`, 0o666);
  await Deno.writeTextFile(`${dir}/weird.ts`, deployText(`${dir}/remote`, sync));
  return `${dir}/weird.ts`;
}

Deno.test("fault 27: paths with spaces, quotes, $, a newline and a leading dash in every file operation", async (t) => {
  await t.step("@local", async () => {
    await using dir = await tempDir();
    const deploy = await setUp(dir.path, true);
    const first = await runSkiff(["deploy", "@local", deploy, "-y"]);
    strictEqual(first.code, 0, first.stdout + first.stderr);
    await check(dir.join("remote"), true);
    const second = await runSkiff(["deploy", "@local", deploy, "-y"]);
    strictEqual(second.code, 0, second.stdout + second.stderr);
    strictEqual(second.stdout.includes(": changed"), false, second.stdout);
  });
  // files.sync over @ssh (rsync) fails on this path: an open defect, see the
  // README's Failure behaviour, case 27.
  await t.step("@ssh, every file operation but files.sync", async () => {
    await using sshd = await startSshd();
    await using dir = await tempDir();
    const deploy = await setUp(dir.path, false);
    const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
    const data = ["--data", `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`];
    const first = await runSkiff(["deploy", target, deploy, "-y", ...data]);
    strictEqual(first.code, 0, first.stdout + first.stderr);
    await check(dir.join("remote"), false);
    const second = await runSkiff(["deploy", target, deploy, "-y", ...data]);
    strictEqual(second.code, 0, second.stdout + second.stderr);
    strictEqual(second.stdout.includes(": changed"), false, second.stdout);
  });
});
