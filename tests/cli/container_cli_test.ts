import { strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import {
  busyboxImage,
  extractDebianTree,
  setUpPodman,
  testCacheDir,
  testContainer,
} from "../helpers/targets.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("skiff exec @chroot/<debian tree> -- cat /etc/os-release prints the tree's OS", async () => {
  await using dir = await tempDir("skiff-chroot-cli-");
  await extractDebianTree(dir.path);
  const run = await runSkiff(["exec", `@chroot${dir.path}`, "--", "cat", "/etc/os-release"]);
  strictEqual(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  assertIncludes(lines, `[@chroot${dir.path}] PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"`);
  assertIncludes(lines, `[@chroot${dir.path}] ID=debian`);
});

Deno.test("skiff exec @podman/<container> -- id runs inside the container", async () => {
  const podman = await setUpPodman();
  await using container = await testContainer(podman, await busyboxImage(podman));
  const run = await runSkiff(["exec", `@podman/${container.name}`, "--", "id"], {
    env: { CONTAINERS_CONF: `${testCacheDir()}/containers.conf` },
  });
  strictEqual(run.code, 0, run.stderr);
  strictEqual(run.stdout, `[@podman/${container.name}] uid=0(root) gid=0(root)\n`);
});
