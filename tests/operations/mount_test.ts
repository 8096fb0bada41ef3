/**
 * `server.mount` and the `server.mounts` fact for real on @local inside a
 * private mount namespace (tests/helpers/mount_ns.ts, root only): a tmpfs,
 * a bind mount and an ext4 image on a loop device are mounted, remounted
 * and unmounted there, never on this machine, and the fstab line goes to a
 * temporary file named by the `fstab` option (the real /etc/fstab is never
 * written). In a Debian tree (@chroot) only the tree's fstab line is
 * written. Each sequence runs as a dry run, then for real, with the same
 * outcomes, descriptions and diffs.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { FACTS } from "../../lib/facts/registry.ts";
import { runProcess } from "../../lib/process.ts";
import { HostSession } from "../../lib/run/session.ts";
import { mountNamespace } from "../helpers/mount_ns.ts";
import { localHarness } from "../helpers/ops.ts";
import { assertRunsThenFailure, assertSameRuns, dryThenReal, shown } from "../helpers/predict.ts";
import { debianRoot, treeRuns } from "../helpers/debian_root.ts";
import { requireRoot } from "../helpers/require.ts";
import { tempDir } from "../helpers/temp.ts";

const TABLE = "# static file system information\nproc /proc proc defaults 0 0\n";

Deno.test("server.mount mounts a tmpfs and writes its fstab line once, remounts when a flag differs, refuses another filesystem there; its dry run predicts it", async () => {
  requireRoot("mounting in a private mount namespace");
  await using ns = await mountNamespace();
  await using dir = await tempDir();
  const fstab = dir.join("fstab");
  await Deno.writeTextFile(fstab, TABLE);
  const path = dir.join("data");
  const tmpfs = { device: "tmpfs", fstype: "tmpfs", fstab };
  const run = await dryThenReal(ns.target, [
    ["server.mount", path, { ...tmpfs, options: "size=1m,noexec" }],
    ["server.mount", path, { ...tmpfs, options: "size=1m,noexec" }],
    ["server.mount", path, { ...tmpfs, options: ["size=1m", "exec", "nosuid"] }],
    ["server.mount", path, { ...tmpfs, options: ["size=1m", "exec", "nosuid"] }],
    ["server.mount", path, { ...tmpfs, fstype: "ramfs" }],
  ]);
  assertSameRuns(run, ["changed", "no change", "changed", "no change", "failed"]);
  const line = `tmpfs ${path} tmpfs`;
  deepStrictEqual(shown(run.real).slice(0, 4), [
    `changed: mounted tmpfs on ${path}, edited ${fstab}\n--- ${fstab}\n+++ ${fstab}\n` +
    `@@ -1,2 +1,3 @@\n # static file system information\n proc /proc proc defaults 0 0\n` +
    `+${line} size=1m,noexec 0 0`,
    `no change: tmpfs is mounted on ${path}\n`,
    `changed: remounted ${path} exec,nosuid, edited ${fstab}\n--- ${fstab}\n+++ ${fstab}\n` +
    `@@ -1,3 +1,3 @@\n # static file system information\n proc /proc proc defaults 0 0\n` +
    `-${line} size=1m,noexec 0 0\n+${line} size=1m,exec,nosuid 0 0`,
    `no change: tmpfs is mounted on ${path}\n`,
  ]);
  strictEqual(
    run.real[4].description,
    `server.mount: tmpfs (tmpfs) is mounted on ${path} on @local, not tmpfs (ramfs); unmount it first`,
  );
  // Mounted in the namespace with the flags asked for; this machine never saw it.
  const mounted = await ns.sh(`grep -F ' ${path} ' /proc/self/mounts`);
  strictEqual(/^tmpfs \S+ tmpfs rw,nosuid,relatime,size=1024k/.test(mounted), true, mounted);
  const outside = await runProcess(["cat", "/proc/self/mounts"]);
  strictEqual(outside.output.stdout.includes(` ${path} `), false);
  strictEqual(await Deno.readTextFile(fstab), `${TABLE}${line} size=1m,exec,nosuid 0 0\n`);
  // The fact, read in the namespace through a session, sees it too.
  const session = new HostSession(
    { ...ns.target.host, connector: ns.target.connector.constructor as never },
    ns.target.connector,
    { emit: () => {} },
  );
  const mounts = await session.fact(FACTS["server.mounts"]) as Record<string, unknown>;
  deepStrictEqual(mounts[path], {
    device: "tmpfs",
    fstype: "tmpfs",
    options: ["rw", "nosuid", "relatime", "size=1024k"],
  });
});

Deno.test("server.mount present: false unmounts and removes the fstab line once; a link at the path is refused", async () => {
  requireRoot("mounting in a private mount namespace");
  await using ns = await mountNamespace();
  await using dir = await tempDir();
  const fstab = dir.join("fstab");
  const path = dir.join("data");
  await Deno.writeTextFile(fstab, `${TABLE}tmpfs ${path} tmpfs defaults 0 0\n`);
  await Deno.mkdir(path);
  await Deno.symlink(path, dir.join("link"));
  await ns.sh(`mount -t tmpfs tmpfs ${path}`);
  const run = await dryThenReal(ns.target, [
    ["server.mount", path, { present: false, fstab }],
    ["server.mount", path, { present: false, fstab }],
    ["server.mount", dir.join("link"), { device: "tmpfs", fstype: "tmpfs", fstab }],
  ]);
  assertSameRuns(run, ["changed", "no change", "failed"]);
  deepStrictEqual(shown(run.real).slice(0, 2), [
    `changed: unmounted ${path}, edited ${fstab}\n--- ${fstab}\n+++ ${fstab}\n` +
    `@@ -1,3 +1,2 @@\n # static file system information\n proc /proc proc defaults 0 0\n` +
    `-tmpfs ${path} tmpfs defaults 0 0`,
    `no change: nothing is mounted on ${path}\n`,
  ]);
  strictEqual(
    run.real[2].description,
    `server.mount: ${dir.join("link")} on @local is a symbolic link, not a directory: refused`,
  );
  strictEqual(await ns.sh(`grep -c -F ' ${path} ' /proc/self/mounts || true`), "0");
  strictEqual(await Deno.readTextFile(fstab), TABLE);
});

Deno.test("server.mount refuses bad arguments with an input error naming the argument", async (t) => {
  const h = localHarness();
  const cases: [unknown[], string][] = [
    [
      ["data", { device: "tmpfs", fstype: "tmpfs" }],
      `server.mount path: expected an absolute path other than /, got "data"`,
    ],
    [
      ["/", { device: "tmpfs", fstype: "tmpfs" }],
      `server.mount path: expected an absolute path other than /, got "/"`,
    ],
    [
      ["/mnt/x", { fstype: "tmpfs" }],
      `server.mount device: expected a device such as "/dev/sdb1", got undefined`,
    ],
    [
      ["/mnt/x", { device: "-o", fstype: "tmpfs" }],
      `server.mount device: expected a device such as "/dev/sdb1", got "-o"`,
    ],
    [
      ["/mnt/x", { device: "tmpfs" }],
      `server.mount fstype: expected a fstype such as "ext4", got undefined`,
    ],
    [
      ["/mnt/x", { device: "tmpfs", fstype: "tmpfs", options: "a b" }],
      `server.mount options: expected "a,b" or a list of options, got "a b"`,
    ],
    [
      ["/mnt/x", { device: "tmpfs", fstype: "tmpfs", fstab: "fstab" }],
      `server.mount fstab: expected an absolute path, got "fstab"`,
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(message, async () => {
      await rejects(h.op("server.mount", ...args), { name: "InputError", message });
    });
  }
});

Deno.test("server.mount binds a directory once (device and type are the source's own in /proc/mounts) and unbinds it", async () => {
  requireRoot("mounting in a private mount namespace");
  await using ns = await mountNamespace();
  await using dir = await tempDir();
  const fstab = dir.join("fstab");
  await Deno.mkdir(dir.join("src"));
  await Deno.writeTextFile(dir.join("src/marker"), "bound\n");
  const path = dir.join("view");
  const bind = { device: dir.join("src"), fstype: "none", options: "bind", fstab };
  const run = await dryThenReal(ns.target, [
    ["server.mount", path, bind],
    ["server.mount", path, bind],
  ]);
  assertSameRuns(run, ["changed", "no change"]);
  strictEqual(run.real[1].description, `${dir.join("src")} is mounted on ${path}`);
  strictEqual(await ns.sh(`cat ${path}/marker`), "bound");
  strictEqual(await Deno.readTextFile(fstab), `${dir.join("src")} ${path} none bind 0 0\n`);
  const off = await dryThenReal(ns.target, [
    ["server.mount", path, { present: false, persist: false }],
    ["server.mount", path, { present: false, persist: false }],
  ]);
  assertSameRuns(off, ["changed", "no change"]);
  strictEqual(await ns.sh(`ls -A ${path}`), "");
});

Deno.test("server.mount in a chroot writes only the tree's fstab line, once; without persist it is refused", async () => {
  await using root = await debianRoot();
  const run = await treeRuns(root, [
    ["server.mount", "/srv/data", { device: "LABEL=data", fstype: "ext4", options: "noatime" }],
    ["server.mount", "/srv/data", { device: "LABEL=data", fstype: "ext4", options: "noatime" }],
    ["server.mount", "/srv/data", { device: "LABEL=data", fstype: "ext4", persist: false }],
  ]);
  assertRunsThenFailure(run, [
    "changed: edited /etc/fstab\n--- /etc/fstab\n+++ /etc/fstab\n@@ -1,1 +1,2 @@\n" +
    " # UNCONFIGURED FSTAB FOR BASE SYSTEM\n+LABEL=data /srv/data ext4 noatime 0 0",
    "no change: LABEL=data on /srv/data is in /etc/fstab\n",
  ], `server.mount is refused on "debian": a chroot shares the kernel`);
  strictEqual(
    await root.sh("tail -n 1 /etc/fstab; ls -d /srv/data 2>&1 || true"),
    "LABEL=data /srv/data ext4 noatime 0 0\nls: cannot access '/srv/data': No such file or directory",
  );
});

Deno.test("server.mount mounts an ext4 image through a loop device once, and unmounts it (the loop device goes with it)", async () => {
  requireRoot("mounting in a private mount namespace");
  await using ns = await mountNamespace();
  await using dir = await tempDir();
  const image = dir.join("disk.img");
  await runProcess(["truncate", "-s", "8M", image]);
  const mkfs = await runProcess(["mkfs.ext4", "-q", "-F", "-L", "skiffdata", image]);
  strictEqual(mkfs.exitCode, 0, mkfs.output.stderr);
  const path = dir.join("disk");
  const loop = { device: image, fstype: "ext4", options: "loop,noatime", persist: false };
  const run = await dryThenReal(ns.target, [
    ["server.mount", path, loop],
    ["server.mount", path, loop],
    ["server.mount", path, { present: false, persist: false }],
  ]);
  assertSameRuns(run, ["changed", "no change", "changed"]);
  deepStrictEqual(shown(run.real), [
    `changed: mounted ${image} on ${path}\n`,
    `no change: ${image} is mounted on ${path}\n`,
    `changed: unmounted ${path}\n`,
  ]);
  strictEqual(await ns.sh(`grep -c -F ' ${path} ' /proc/self/mounts || true`), "0");
  const attached = await runProcess(["losetup", "-j", image]);
  strictEqual(attached.output.stdout, "");
});

Deno.test("server.mount by LABEL= is no change on the device mounted there (/proc shows the device blkid finds)", async () => {
  requireRoot("attaching a loop device and mounting in a private mount namespace");
  await using ns = await mountNamespace();
  await using dir = await tempDir();
  const image = dir.join("disk.img");
  await runProcess(["truncate", "-s", "8M", image]);
  // A label of its own: no other run's image (or a stale cache entry) has it.
  const label = `skiff-${crypto.randomUUID().slice(0, 8)}`;
  await runProcess(["mkfs.ext4", "-q", "-F", "-L", label, image]);
  const attach = await runProcess(["losetup", "-f", "--show", image]);
  strictEqual(attach.exitCode, 0, attach.output.stderr);
  const loop = attach.output.stdout.trim();
  try {
    const path = dir.join("disk");
    // Mounted by its device name (mount itself, without udev, finds a new label only through
    // a blkid cache it rescans every 200 s); the operation is then asked by label.
    await ns.sh(`mkdir -p ${path} && mount -t ext4 ${loop} ${path}`);
    const byLabel = { device: `LABEL=${label}`, fstype: "ext4", persist: false };
    const run = await dryThenReal(ns.target, [
      ["server.mount", path, byLabel],
      ["server.mount", path, { ...byLabel, device: "LABEL=skiff-other" }],
      ["server.mount", path, { present: false, persist: false }],
    ]);
    assertSameRuns(run, ["no change", "failed", "changed"]);
    strictEqual(run.real[0].description, `LABEL=${label} is mounted on ${path}`);
    strictEqual(
      run.real[1].description,
      `server.mount: ${loop} (ext4) is mounted on ${path} on @local, not LABEL=skiff-other (ext4); unmount it first`,
    );
  } finally {
    await runProcess(["losetup", "-d", loop]);
  }
});
