/**
 * File operations on a target shared with an attacker (a second,
 * unprivileged account), over @local (as root) and @ssh (`_sudo`): skiff
 * never follows a link with its privileges, and leaves nothing to do to a
 * path after renaming a new file into place.
 */
import { match, rejects, strictEqual } from "node:assert/strict";
import {
  asAttacker,
  ATTACKER,
  ensureAttacker,
  rootSecret,
  swapWatcher,
} from "../helpers/attacker.ts";
import { localHarness, type OpHarness, sshHarness } from "../helpers/ops.ts";
import { ensureTestUser, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

interface Target {
  name: string;
  harness: OpHarness;
  /** Control arguments that give the operations root. */
  root: Record<string, unknown>;
}

/** Runs `fn` against @local (as root) and against @ssh (a user with NOPASSWD sudo). */
async function onTargets(
  t: Deno.TestContext,
  fn: (target: Target, dir: string) => Promise<void>,
): Promise<void> {
  await ensureAttacker();
  await t.step("@local", async () => {
    await using dir = await tempDir();
    await Deno.chmod(dir.path, 0o755);
    await fn({ name: "@local", harness: localHarness(), root: {} }, dir.path);
  });
  await t.step("@ssh with _sudo", async () => {
    await ensureTestUser();
    await using sshd = await startSshd();
    const sudoers = "/etc/sudoers.d/skiff-test";
    await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    await using dir = await tempDir();
    await Deno.chmod(dir.path, 0o755);
    const harness = sshHarness(sshd);
    await harness.session.connect();
    try {
      await fn({ name: "@ssh", harness, root: { _sudo: true } }, dir.path);
    } finally {
      await harness.session.disconnect();
      await Deno.remove(sudoers).catch(() => {});
    }
  });
}

const isLink = (path: string) => Deno.lstat(path).then((info) => info.isSymlink, () => false);

/** A directory the attacker owns, inside `dir`. */
async function attackerHome(dir: string): Promise<string> {
  const home = `${dir}/home`;
  await Deno.mkdir(home);
  const { uid, gid } = await ensureAttacker();
  await Deno.chown(home, uid, gid);
  return home;
}

Deno.test("file operations give mode and owner before the rename: a watcher swapping in links gains nothing", async (t) => {
  await onTargets(t, async ({ harness: h, root }, dir) => {
    const secret = await rootSecret(dir);
    const home = await attackerHome(dir);
    const owner = { user: ATTACKER, group: ATTACKER };
    // Swaps the final file (after the rename) and skiff's temporary file (before it).
    await using watcher = swapWatcher(
      home,
      "authorized_keys .authorized_keys.skiff-* f",
      secret.path,
    );
    for (let i = 0; i < 12; i++) {
      await Deno.remove(`${home}/authorized_keys`).catch(() => {});
      await Deno.remove(`${home}/f`).catch(() => {});
      await h.op("files.put", { content: `key ${i}\n` }, `${home}/authorized_keys`, {
        ...owner,
        mode: "600",
        ...root,
      }).catch(() => {});
      await h.op("files.file", `${home}/f`, { ...owner, mode: "644", ...root }).catch(() => {});
      // Time for the watcher to swap the new files, as it would after any rename.
      for (let wait = 0; wait < 20 && !(await isLink(`${home}/authorized_keys`)); wait++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await secret.check();
    }
    const swaps = await watcher.stop();
    strictEqual(swaps > 0, true, "the watcher never swapped a file: the test raced nothing");
  });
});

Deno.test("mode and owner are never changed through a link at the path", async (t) => {
  await onTargets(t, async ({ harness: h, root }, dir) => {
    const secret = await rootSecret(dir);
    const home = await attackerHome(dir);
    await asAttacker(`ln -s '${secret.path}' '${home}/l' && ln -s '${dir}' '${home}/d'`);
    await rejects(h.op("files.file", `${home}/l`, { mode: "777", ...root }), {
      message: new RegExp(`${home}/l is a symbolic link: skiff does not follow links`),
    });
    await rejects(h.op("files.file", `${home}/l`, { user: ATTACKER, ...root }), {
      message: /is a symbolic link/,
    });
    await rejects(h.op("files.directory", `${home}/d`, { mode: "777", ...root }), {
      message: new RegExp(`${home}/d is a symbolic link: skiff does not follow links`),
    });
    await secret.check();
    strictEqual(((await Deno.stat(dir)).mode! & 0o7777).toString(8), "755");
  });
});

Deno.test("content is never read or written through a link, so no root file takes a link's mode 777", async (t) => {
  await onTargets(t, async ({ harness: h, root }, dir) => {
    const secret = await rootSecret(dir);
    const home = await attackerHome(dir);
    await Deno.writeTextFile(`${dir}/real.conf`, "a=1\n", { mode: 0o644 });
    await Deno.symlink(`${dir}/real.conf`, `${dir}/link.conf`);
    await asAttacker(`ln -s '${secret.path}' '${home}/.profile'`);
    await Deno.writeTextFile(`${dir}/t.j2`, "b={{ 2 }}\n");
    const calls: [string, unknown[]][] = [
      ["files.put", [{ content: "x\n" }]],
      ["files.line", ["b=2"]],
      ["files.block", ["b=2"]],
      ["files.replace", ["a=1", "a=2"]],
    ];
    for (const path of [`${dir}/link.conf`, `${home}/.profile`]) {
      for (const [name, args] of calls) {
        const [first, ...rest] = args;
        const call = name === "files.put"
          ? h.op(name, first, path, { ...root })
          : h.op(name, path, first, ...rest, { ...root });
        await rejects(call, {
          message: new RegExp(`${path} is a symbolic link: skiff does not follow links`),
        }, name);
      }
      await rejects(h.op("files.template", `${dir}/t.j2`, path, { ...root }), {
        message: /is a symbolic link: skiff does not follow links/,
      });
      // files.copy neither reads through a link at src nor writes through one at dest; files.move never moves onto one.
      for (
        const [name, src, dest] of [
          ["files.copy", `${dir}/t.j2`, path],
          ["files.copy", path, `${dir}/stolen`],
          ["files.move", `${dir}/t.j2`, path],
        ]
      ) {
        await rejects(h.op(name, src, dest, { ...root }), {
          message: new RegExp(`${path} is a symbolic link: skiff does not follow links`),
        }, name);
      }
      strictEqual(await Deno.lstat(`${dir}/stolen`).then(() => true, () => false), false);
      strictEqual((await Deno.lstat(path)).isSymlink, true);
    }
    strictEqual(await Deno.readTextFile(`${dir}/real.conf`), "a=1\n");
    match(((await Deno.stat(`${dir}/real.conf`)).mode! & 0o7777).toString(8), /^644$/);
    await secret.check();
  });
});
