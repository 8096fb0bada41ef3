import { deepStrictEqual, match, rejects, strictEqual, throws } from "node:assert/strict";
import {
  CHROOT_MOUNT_SCRIPT,
  chrootArgv,
  ChrootConnector,
  chrootDirectory,
} from "../../connectors/chroot.ts";
import { secret } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import { randomBytes, sha256Hex, tempDir } from "../helpers/temp.ts";
import { requireCommand, requireRoot } from "../helpers/require.ts";
import { buildBusyboxTree, BUSYBOX_OS_RELEASE, extractDebianTree } from "../helpers/targets.ts";

function chroot(directory: string, data: Record<string, unknown> = {}): ChrootConnector {
  return new ChrootConnector(
    { name: `@chroot${directory}`, data: { chroot_directory: directory, ...data }, groups: [] },
    { runProcess },
  );
}

/** Lines of /proc/mounts that mention `path` (read by `cat`: Deno guards /proc reads). */
async function mountsUnder(path: string): Promise<string[]> {
  const mounts = (await runProcess(["cat", "/proc/mounts"])).output.stdoutLines;
  return mounts.filter((line) => line.split(" ")[1]?.startsWith(path));
}

/** Host processes whose command line contains `needle`, not zombies. */
async function livingProcesses(needle: string): Promise<string[]> {
  const ps = await requireCommand("ps", "procps");
  const lines = (await runProcess([ps, "-eo", "stat=,args="])).output.stdoutLines;
  return lines.filter((line) => line.includes(needle) && !/^\s*Z/.test(line));
}

async function busyboxTree() {
  requireRoot("chroot");
  await requireCommand("unshare", "util-linux");
  const dir = await tempDir("skiff-chroot-");
  await buildBusyboxTree(dir.path);
  return dir;
}

Deno.test("chrootArgv() and chrootDirectory() are exact", async (t) => {
  await t.step("plain chroot", () => {
    deepStrictEqual(chrootArgv("/srv/root", "sh -c id"), [
      "chroot",
      "/srv/root",
      "sh",
      "-c",
      "sh -c id",
    ]);
  });
  await t.step("mounts in a private namespace, paths as arguments", () => {
    deepStrictEqual(chrootArgv("/srv/my root", "sh -c id", { mount: true }), [
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      CHROOT_MOUNT_SCRIPT,
      "skiff-chroot",
      "/srv/my root",
      "sh -c id",
    ]);
    strictEqual(
      CHROOT_MOUNT_SCRIPT,
      'for m in proc sys dev; do if [ -L "$1/$m" ] || [ ! -d "$1/$m" ]; then ' +
        'echo "skiff: $1/$m is not a directory: cannot mount it" >&2; exit 125; fi; done ' +
        '&& mount -t proc proc "$1/proc" && mount --rbind /sys "$1/sys" && mount --rbind /dev "$1/dev" ' +
        '|| exit 125; exec chroot "$1" sh -c "$2"',
    );
  });
  await t.step("directories are always from /", () => {
    strictEqual(chrootDirectory("srv/root"), "/srv/root");
    strictEqual(chrootDirectory("/srv/root"), "/srv/root");
    strictEqual(chrootDirectory("//srv//./root/"), "/srv/root");
    throws(() => chrootDirectory("/srv/../etc"), {
      message: 'Chroot directory "/srv/../etc" must not contain ".."',
    });
    throws(() => chrootDirectory("/"), { message: 'Chroot directory "/" is the root itself' });
  });
  await t.step("makeNamesData()", () => {
    deepStrictEqual([...ChrootConnector.makeNamesData("srv/root")], [
      { name: "@chroot/srv/root", data: { chroot_directory: "/srv/root" }, groups: ["@chroot"] },
    ]);
    deepStrictEqual([...ChrootConnector.makeNamesData("/srv/root")][0].data, {
      chroot_directory: "/srv/root",
    });
    throws(() => [...ChrootConnector.makeNamesData(undefined)], {
      name: "InputError",
      message: '@chroot needs a directory: "@chroot/path/to/root"',
    });
  });
  await t.step("data keys", () => {
    deepStrictEqual(chroot("/srv/root").data, {
      chroot_directory: "/srv/root",
      chroot_mount: false,
    });
    throws(() => chroot("/srv/root", { chroot_mounts: true }), {
      message:
        'Host "@chroot/srv/root": unknown chroot data key "chroot_mounts" (did you mean "chroot_mount"?)',
    });
  });
});

Deno.test("ChrootConnector.runShellCommand() runs in a busybox tree", async (t) => {
  await using tree = await busyboxTree();
  const connector = chroot(tree.path);
  await connector.connect();
  try {
    await t.step("cat /etc/os-release", async () => {
      const result = await connector.runShellCommand("cat /etc/os-release");
      deepStrictEqual([result.success, result.output.stdout], [true, BUSYBOX_OS_RELEASE.trimEnd()]);
    });
    await t.step("stdin, exit codes, secrets", async () => {
      strictEqual(
        (await connector.runShellCommand("cat", { _stdin: ["x", "y"] })).output.stdout,
        "x\ny",
      );
      const failed = await connector.runShellCommand("echo no >&2; exit 4");
      deepStrictEqual([failed.success, failed.exitCode, failed.output.stderr], [false, 4, "no"]);
      const env = await connector.runShellCommand('echo "$S"', { _env: { S: secret("s3cret") } });
      strictEqual(env.output.stdout, "s3cret");
    });
    await t.step("_su_user inside the tree", async () => {
      strictEqual(
        (await connector.runShellCommand("id -u", { _su_user: "nobody" })).output.stdout,
        "65534",
      );
    });
    await t.step("_timeout kills everything it started", async () => {
      const result = await connector.runShellCommand("sleep 4251 & sleep 4252", { _timeout: 0.5 });
      deepStrictEqual([result.timedOut, result.exitCode], [true, null]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      deepStrictEqual(await livingProcesses("sleep 425"), []);
    });
  } finally {
    await connector.disconnect();
  }
});

Deno.test("ChrootConnector.putFile() and getFile() stay inside the tree", async (t) => {
  await using tree = await busyboxTree();
  await using outside = await tempDir("skiff-outside-");
  const connector = chroot(tree.path);
  await connector.connect();
  try {
    const bytes = randomBytes(300_000);
    const sum = await sha256Hex(bytes);
    await t.step("bytes up and down", async () => {
      await connector.putFile(bytes, "/tmp/blob");
      strictEqual(await sha256Hex(await Deno.readFile(`${tree.path}/tmp/blob`)), sum);
      strictEqual((await Deno.stat(`${tree.path}/tmp/blob`)).mode! & 0o777, 0o644);
      await connector.getFile("/tmp/blob", outside.join("blob"));
      strictEqual(await sha256Hex(await Deno.readFile(outside.join("blob"))), sum);
      deepStrictEqual([...Deno.readDirSync(`${tree.path}/tmp`)].map((e) => e.name), ["blob"]);
    });
    await t.step("mode given, then kept on replace", async () => {
      await Deno.writeTextFile(outside.join("f"), "one\n");
      await connector.putFile(outside.join("f"), "/root/f", { mode: "600" });
      await connector.putFile(new TextEncoder().encode("two\n"), "/root/f");
      strictEqual((await Deno.stat(`${tree.path}/root/f`)).mode! & 0o777, 0o600);
      strictEqual(await Deno.readTextFile(`${tree.path}/root/f`), "two\n");
    });
    await t.step("an absolute symlink resolves inside the tree, never on the host", async () => {
      // In the tree: /link -> <outside> (an absolute path that also exists on the host).
      await Deno.mkdir(`${tree.path}${outside.path}`, { recursive: true });
      await Deno.symlink(outside.path, `${tree.path}/link`);
      await Deno.writeTextFile(outside.join("secret"), "host file\n");
      await connector.putFile(new TextEncoder().encode("inside\n"), "/link/new");
      strictEqual(await Deno.readTextFile(`${tree.path}${outside.path}/new`), "inside\n");
      await rejects(Deno.stat(outside.join("new")), Deno.errors.NotFound);
      await rejects(connector.getFile("/link/secret", outside.join("got")), {
        name: "OperationError",
        message:
          `Could not read "/link/secret" in chroot "${tree.path}": cat: can't open '/link/secret': No such file or directory`,
      });
    });
  } finally {
    await connector.disconnect();
  }
});

Deno.test("ChrootConnector with chroot_mount never leaves a mount behind", async (t) => {
  await using tree = await busyboxTree();
  const connector = chroot(tree.path, { chroot_mount: true });
  await connector.connect();
  try {
    await t.step(
      "/proc, /sys and /dev inside, nothing on the host, even while running",
      async () => {
        const running = connector.runShellCommand(
          "test -r /proc/self/stat && test -d /sys/kernel && test -c /dev/null && echo mounted; sleep 0.5",
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
        deepStrictEqual(await mountsUnder(tree.path), []);
        const result = await running;
        deepStrictEqual([result.exitCode, result.output.stdout], [0, "mounted"]);
      },
    );
    await t.step("after a failure and after a timeout", async () => {
      const failed = await connector.runShellCommand("ls /proc/1 >/dev/null && exit 9");
      strictEqual(failed.exitCode, 9);
      const timedOut = await connector.runShellCommand("sleep 4261", { _timeout: 0.5 });
      strictEqual(timedOut.timedOut, true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      deepStrictEqual(await livingProcesses("sleep 4261"), []);
      deepStrictEqual(await mountsUnder(tree.path), []);
    });
  } finally {
    await connector.disconnect();
  }
  deepStrictEqual(await mountsUnder(tree.path), []);
  await t.step("a mount point that is a symlink is refused", async () => {
    await Deno.remove(`${tree.path}/dev`);
    await Deno.symlink("/etc", `${tree.path}/dev`);
    await rejects(chroot(tree.path, { chroot_mount: true }).connect(), {
      name: "ConnectError",
      message:
        `Cannot enter chroot "${tree.path}": skiff: ${tree.path}/dev is not a directory: cannot mount it`,
    });
    deepStrictEqual(await mountsUnder(tree.path), []);
  });
});

Deno.test("ChrootConnector.connect() fails clearly", async (t) => {
  await t.step("missing directory", async () => {
    await rejects(chroot("/nonexistent/skiff-root").connect(), (error: Error) => {
      strictEqual(error.name, "ConnectError");
      match(
        error.message,
        /^Chroot directory "\/nonexistent\/skiff-root" is not usable: No such file or directory/,
      );
      return true;
    });
  });
  await t.step("a tree without a shell", async () => {
    requireRoot("chroot");
    await using empty = await tempDir("skiff-empty-");
    await rejects(chroot(empty.path).connect(), (error: Error) => {
      strictEqual(error.name, "ConnectError");
      match(
        error.message,
        /^Cannot enter chroot "[^"]+": \S*chroot: failed to run command ‘sh’: No such file or directory$/,
      );
      return true;
    });
  });
});

Deno.test("ChrootConnector runs in a Debian bookworm tree", async (t) => {
  requireRoot("chroot");
  await using tree = await tempDir("skiff-debian-");
  await extractDebianTree(tree.path);
  const connector = chroot(tree.path, { chroot_mount: true });
  await connector.connect();
  try {
    await t.step("cat /etc/os-release", async () => {
      const lines = (await connector.runShellCommand("cat /etc/os-release")).output.stdoutLines;
      deepStrictEqual(lines.slice(0, 4), [
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
        'NAME="Debian GNU/Linux"',
        'VERSION_ID="12"',
        'VERSION="12 (bookworm)"',
      ]);
    });
    await t.step("a user made inside, files owned through _su_user", async () => {
      strictEqual((await connector.runShellCommand("useradd -m app")).exitCode, 0);
      await connector.putFile(new TextEncoder().encode("hi\n"), "/home/app/note", {
        _su_user: "app",
      });
      strictEqual(
        (await connector.runShellCommand(
          "stat -c '%U %a' /home/app/note; ls -A /home/app | grep -c skiff",
        )).output.stdout,
        "app 644\n0",
      );
      const got = await connector.getFile("/home/app/note", `${tree.path}/root/copy`);
      strictEqual(got, true);
      strictEqual(await Deno.readTextFile(`${tree.path}/root/copy`), "hi\n");
      strictEqual(
        (await connector.runShellCommand(
          "ps -o comm= -p 1 >/dev/null 2>&1; cat /proc/1/comm | wc -l",
        )).output.stdout,
        "1",
      );
    });
  } finally {
    await connector.disconnect();
  }
  deepStrictEqual(await mountsUnder(tree.path), []);
});

Deno.test("ChrootConnector.putFile() of a source that fails midway leaves no file", async () => {
  await using dir = await busyboxTree();
  const c = chroot(dir.path, { chroot_mount: false });
  await c.connect();
  try {
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("dropped"));
        controller.enqueue(randomBytes(100_000));
        sent = true;
      },
    });
    await rejects(c.putFile(broken, "/tmp/upload"), {
      name: "OperationError",
      message: `Could not write "/tmp/upload" in chroot "${dir.path}": the source failed: dropped`,
    });
    deepStrictEqual([...Deno.readDirSync(dir.join("tmp"))].map((e) => e.name), []);
  } finally {
    await c.disconnect();
  }
});
