/**
 * `apt.deb` and `apt.upgrade` in a Debian tree (tests/helpers/debian_root.ts)
 * through the real ChrootConnector, with .deb files the test builds with
 * dpkg-deb: no network. `apt.upgrade` upgrades from a `file:` repository
 * the test writes in the tree (its Packages index by hand; the tree's own
 * Debian source is removed, so nothing else is upgraded). Each sequence
 * runs as a dry run, then for real.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { debianRoot, treeRuns } from "../helpers/debian_root.ts";
import { localHarness } from "../helpers/ops.ts";
import { assertRunsThenFailure, shown } from "../helpers/predict.ts";
import { sha256Hex, tempDir } from "../helpers/temp.ts";
import { run } from "../helpers/targets.ts";

/** Builds skiff-hello VERSION as `dir/skiff-hello_VERSION_all.deb`; returns its path. */
async function buildDeb(dir: string, version: string): Promise<string> {
  const root = `${dir}/build-${version}`;
  await Deno.mkdir(`${root}/DEBIAN`, { recursive: true });
  await Deno.mkdir(`${root}/usr/share/skiff-hello`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/DEBIAN/control`,
    `Package: skiff-hello\nVersion: ${version}\nArchitecture: all\n` +
      `Maintainer: skiff tests <tests@skiff.invalid>\nDescription: built by skiff's tests\n`,
  );
  await Deno.writeTextFile(`${root}/usr/share/skiff-hello/VERSION`, `${version}\n`);
  const deb = `${dir}/skiff-hello_${version}_all.deb`;
  await run(["dpkg-deb", "--root-owner-group", "--build", root, deb]);
  return deb;
}

Deno.test("apt.deb installs a .deb once, upgrades and downgrades to another version, refuses a missing file; its dry run predicts it", async () => {
  await using root = await debianRoot();
  await Deno.mkdir(`${root.path}/srv/debs`, { recursive: true });
  await buildDeb(`${root.path}/srv/debs`, "1.0");
  await buildDeb(`${root.path}/srv/debs`, "2.0~rc1");
  const one = "/srv/debs/skiff-hello_1.0_all.deb";
  const two = "/srv/debs/skiff-hello_2.0~rc1_all.deb";
  const result = await treeRuns(root, [
    ["apt.deb", one],
    ["apt.deb", one],
    ["apt.deb", two],
    ["apt.deb", one],
    ["apt.deb", "/srv/debs/none.deb"],
  ]);
  assertRunsThenFailure(result, [
    "changed: installed skiff-hello 1.0\nskiff-hello: (none) → 1.0",
    "no change: skiff-hello 1.0 is installed\n",
    "changed: upgraded skiff-hello 1.0 -> 2.0~rc1\nskiff-hello: 1.0 → 2.0~rc1",
    "changed: downgraded skiff-hello 2.0~rc1 -> 1.0\nskiff-hello: 2.0~rc1 → 1.0",
  ], "apt.deb: /srv/debs/none.deb is no .deb file on debian: ");
  strictEqual(
    await root.sh("dpkg-query -W skiff-hello; cat /usr/share/skiff-hello/VERSION"),
    "skiff-hello\t1.0\n1.0",
  );
});

Deno.test("apt.upgrade upgrades what its simulation names from a local repository once; a dry run predicts the first", async () => {
  await using root = await debianRoot();
  await using build = await tempDir();
  const repo = `${root.path}/srv/repo`;
  await Deno.mkdir(repo, { recursive: true });
  const old = await buildDeb(build.path, "1.0");
  const next = await buildDeb(repo, "1.1");
  const bytes = await Deno.readFile(next);
  const control = await run(["dpkg-deb", "-f", next]);
  await Deno.writeTextFile(
    `${repo}/Packages`,
    `${control.trimEnd()}\nFilename: ./skiff-hello_1.1_all.deb\nSize: ${bytes.length}\n` +
      `SHA256: ${await sha256Hex(bytes)}\n\n`,
  );
  await Deno.copyFile(old, `${root.path}/tmp/old.deb`);
  await root.sh(
    "dpkg -i /tmp/old.deb >/dev/null && rm -f /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list && " +
      "echo 'deb [trusted=yes] file:/srv/repo ./' > /etc/apt/sources.list.d/local.list && apt-get update -qq >/dev/null 2>&1",
  );
  const result = await treeRuns(root, [
    ["apt.upgrade"],
    ["apt.upgrade"],
    ["apt.upgrade", { dist: true }],
  ]);
  deepStrictEqual(shown(result.real), [
    "changed: upgraded skiff-hello\nskiff-hello → 1.1",
    "no change: nothing to upgrade\n",
    "no change: nothing to upgrade\n",
  ]);
  // The dry run cannot simulate on top of its own predicted upgrade: the later ones depend on it.
  deepStrictEqual(shown(result.dry), [
    "changed: upgraded skiff-hello\nskiff-hello → 1.1",
    "changed: depends on an earlier change\n",
    "changed: depends on an earlier change\n",
  ]);
  strictEqual(await root.sh("dpkg-query -W skiff-hello"), "skiff-hello\t1.1");
});

Deno.test("apt.deb and apt.upgrade refuse bad arguments with an input error", async () => {
  const h = localHarness();
  await rejects(h.op("apt.deb", "hello.deb"), {
    name: "InputError",
    message: `apt.deb src: expected the absolute path of a .deb file on the host, got "hello.deb"`,
  });
  await rejects(h.op("apt.upgrade", { dist: "yes" }), {
    name: "InputError",
    message: `apt.upgrade: option "dist" must be true or false, got "yes"`,
  });
});
