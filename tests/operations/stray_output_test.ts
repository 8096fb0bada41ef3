/**
 * A command leaves a background process behind that keeps printing: here
 * it runs as the attacker (a second, unprivileged account) and prints an
 * injected line on both streams. None of it may become part of a later
 * command's output: not a fact's, not the file `files.line` reads back and
 * rewrites. The command that left it fails instead, saying why, and its
 * pipes are cut at that first stray line (the attacker's loop dies of
 * EPIPE). Over `@local` (its persistent shell, as root) and `@ssh` (the
 * test user).
 */
import { match, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { runProcess, spawnShell } from "../../lib/process.ts";
import { ATTACKER, ensureAttacker } from "../helpers/attacker.ts";
import { connectorHarness, type OpHarness, sshHarness } from "../helpers/ops.ts";
import { ensureTestUser, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

/**
 * The attacker's loop, started in the background and left running (about a
 * second). What it prints is base64 of a line of its own, so that where
 * skiff reads a file back as base64 it would decode into the content.
 */
const INJECTED = btoa("injected=12\n");
const LEFTOVER = `sudo -n -u ${ATTACKER} sh -c 'i=0; while [ $i -lt 20 ]; do ` +
  `echo ${INJECTED}; echo ${INJECTED} >&2; sleep 0.05; i=$((i+1)); done' &`;

async function attack(h: OpHarness, dir: string): Promise<void> {
  const path = `${dir}/app.conf`;
  // Nine bytes, so base64 with no padding: an injected base64 line decodes into it.
  await Deno.writeTextFile(path, "a=11\nb=x\n", { mode: 0o666 });
  await Deno.chmod(path, 0o666);
  const left = await h.op("server.shell", LEFTOVER).then(() => undefined, (error: Error) => error);
  const facts: string[] = [];
  for (let i = 0; i < 8; i++) {
    await h.op("files.line", path, `b=${i}`, { match: "^b=" });
    // As a fact runs: one of skiff's own scripts, in the shared shell.
    const fact = await h.session.run("echo fact; echo note >&2", {});
    facts.push(fact.output.lines.map((l) => `${l.stream}:${l.line}`).join(" "));
  }
  strictEqual(await Deno.readTextFile(path), "a=11\nb=7\n");
  strictEqual(facts.join("\n"), Array(8).fill("stdout:fact stderr:note").join("\n"));
  // The command that left the process behind is the one that fails.
  match(
    String(left?.message),
    /with output after it ended, from a process it left running \(\d+ lines?, the first on std(out|err): "aW5qZWN0ZWQ9MTIK"\)/,
  );
}

/**
 * A command leaves a process holding its pipes (no output): after 2 s the
 * command fails and its batch stops; a fact sent meanwhile, behind it in
 * the same shell, runs exactly once; the process is not killed.
 */
async function held(h: OpHarness, dir: string): Promise<void> {
  const count = `${dir}/count`;
  const holds = `sh -c 'echo $$ >${dir}/holder; exec sleep 6' &`;
  const [shell, fact] = await Promise.all([
    h.op("server.shell", ["echo a", holds, `echo c >>${count}`]).then(
      () => undefined,
      (error: Error) => error,
    ),
    h.session.run(`echo f >>${count}; echo fact`, {}),
  ]);
  match(String(shell?.message), /with output still open 2 s after it ended, held by a process/);
  strictEqual(fact.output.stdout, "fact");
  const holder = Number(await Deno.readTextFile(`${dir}/holder`));
  Deno.kill(holder, "SIGKILL"); // Throws if it was killed.
  strictEqual((await h.session.run(`cat ${count}`, {})).output.stdout, "f");
}

/** Connects `h`, runs both attacks in a fresh 0777 directory, disconnects. */
async function attacks(h: OpHarness): Promise<void> {
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  await h.session.connect();
  try {
    await attack(h, dir.path);
    await held(h, dir.path);
  } finally {
    await h.session.disconnect();
  }
}

Deno.test("output of a background process a command left never reaches a later command", async (t) => {
  await ensureAttacker();
  await t.step("@local, persistent shell", async () => {
    const host = { name: "@local", data: {}, groups: ["@local"] };
    await attacks(connectorHarness(host, new LocalConnector(host, { runProcess, spawnShell })));
  });
  await t.step("@ssh", async () => {
    await ensureTestUser();
    await using sshd = await startSshd();
    const sudoers = "/etc/sudoers.d/skiff-stray-output";
    await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    try {
      await attacks(sshHarness(sshd));
    } finally {
      await Deno.remove(sudoers).catch(() => {});
    }
  });
});
