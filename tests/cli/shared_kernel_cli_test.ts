/**
 * Operations that act on the kernel or the machine never reach the machine
 * that runs a chroot: the real CLI against `@chroot/` a busybox tree.
 */

import { strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import {
  buildBusyboxTree,
  busyboxImage,
  setUpPodman,
  testCacheDir,
  testContainer,
} from "../helpers/targets.ts";
import { tempDir } from "../helpers/temp.ts";

async function deployIn(root: string, dir: string, body: string, extra: string[] = []) {
  await Deno.writeTextFile(
    `${dir}/deploy.ts`,
    `export default async function ({ ops }) {\n${body}\n}\n`,
  );
  return await runSkiff(["deploy", `@chroot${root}`, `${dir}/deploy.ts`, "-y", "-v", ...extra]);
}

Deno.test("server.hostname on @chroot writes /etc/hostname in the tree and never names the controller", async () => {
  await using dir = await tempDir();
  const root = dir.join("tree");
  await Deno.mkdir(root);
  await buildBusyboxTree(root);
  const controller = Deno.hostname();
  const dry = await deployIn(root, dir.path, `await ops.server.hostname("one.example.com");`, [
    "--dry",
  ]);
  strictEqual(dry.code, 0, dry.stdout + dry.stderr);
  assertIncludes(dry.stdout, "/etc/hostname (none) -> one.example.com (only the file in a chroot)");
  assertExcludes(dry.stdout, `hostname ${controller} ->`);
  const run = await deployIn(root, dir.path, `await ops.server.hostname("one.example.com");`);
  strictEqual(run.code, 0, run.stdout + run.stderr);
  strictEqual(await Deno.readTextFile(`${root}/etc/hostname`), "one.example.com\n");
  strictEqual(Deno.hostname(), controller);
  const again = await deployIn(root, dir.path, `await ops.server.hostname("one.example.com");`);
  assertIncludes(again.stdout, "server.hostname one.example.com: no change");
});

Deno.test("server.sysctl on @chroot writes only the sysctl.d line with persist, and is refused without", async () => {
  await using dir = await tempDir();
  const root = dir.join("tree");
  await Deno.mkdir(root);
  await buildBusyboxTree(root);
  // --dry: should the refusal break, nothing reaches the controller's kernel.
  const live = await deployIn(root, dir.path, `await ops.server.sysctl("vm.swappiness", 7);`, [
    "--dry",
  ]);
  strictEqual(live.code, 1, live.stdout + live.stderr);
  assertIncludes(
    live.stdout + live.stderr,
    `server.sysctl is refused on "@chroot${root}": a chroot shares the kernel of the machine that runs it, so this would act on that machine; pass persist: true to write only the sysctl.d line in the tree`,
  );
  assertExcludes(live.stdout + live.stderr, "sysctl -w");
  await Deno.mkdir(`${root}/etc/sysctl.d`);
  const persisted = await deployIn(
    root,
    dir.path,
    `await ops.server.sysctl("vm.swappiness", 7, { persist: true });`,
  );
  strictEqual(persisted.code, 0, persisted.stdout + persisted.stderr);
  strictEqual(
    await Deno.readTextFile(`${root}/etc/sysctl.d/99-skiff.conf`),
    "vm.swappiness = 7\n",
  );
  assertExcludes(persisted.stdout, "sysctl -w");
});

Deno.test("server.reboot on @chroot is refused before any command", async () => {
  await using dir = await tempDir();
  const root = dir.join("tree");
  await Deno.mkdir(root);
  await buildBusyboxTree(root);
  const run = await deployIn(root, dir.path, `await ops.server.reboot();`, ["--dry"]);
  strictEqual(run.code, 1, run.stdout + run.stderr);
  assertIncludes(
    run.stdout + run.stderr,
    `server.reboot is refused on "@chroot${root}": a chroot shares the kernel of the machine that runs it, so this would act on that machine; run it on that machine's own host`,
  );
});

Deno.test("server.reboot and live server.sysctl on @podman are refused; server.hostname writes only /etc/hostname", async () => {
  const podman = await setUpPodman();
  await using container = await testContainer(podman, await busyboxImage(podman));
  await using dir = await tempDir();
  const target = `@podman/${container.name}`;
  const env = { CONTAINERS_CONF: `${testCacheDir()}/containers.conf` };
  const deploy = async (body: string) => {
    await Deno.writeTextFile(
      dir.join("deploy.ts"),
      `export default async function ({ ops }) {\n${body}\n}\n`,
    );
    return await runSkiff(["deploy", target, dir.join("deploy.ts"), "-y"], { env });
  };
  const reboot = await deploy(`await ops.server.reboot();`);
  strictEqual(reboot.code, 1, reboot.stdout + reboot.stderr);
  assertIncludes(
    reboot.stdout,
    `server.reboot is refused on "${target}": a container shares the kernel of the machine that runs it`,
  );
  const sysctl = await deploy(`await ops.server.sysctl("vm.swappiness", 7);`);
  strictEqual(sysctl.code, 1, sysctl.stdout + sysctl.stderr);
  assertIncludes(sysctl.stdout, `server.sysctl is refused on "${target}": a container shares`);
  const hostname = await deploy(
    `await ops.server.hostname("one.example.com");`,
  );
  strictEqual(hostname.code, 0, hostname.stdout + hostname.stderr);
  assertIncludes(hostname.stdout, "(only the file in a container)");
});
