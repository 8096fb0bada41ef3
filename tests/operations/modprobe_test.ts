/**
 * `server.modprobe`. Its persist file in a Debian tree through the real
 * ChrootConnector (where only the file is written: a chroot shares this
 * machine's kernel). Its live step on @local inside a private mount
 * namespace against a FAKE: no module may be loaded into this machine's
 * kernel from a test, so /sys/module there is an empty tmpfs and
 * `modprobe` is a script (named as such) that makes or removes the
 * module's directory in it and logs its arguments; /etc/modules-load.d
 * there is a tmpfs too.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { runProcess } from "../../lib/process.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { mountNamespace } from "../helpers/mount_ns.ts";
import { localHarness } from "../helpers/ops.ts";
import { assertSameRuns, dryThenReal, shown } from "../helpers/predict.ts";
import { requireRoot } from "../helpers/require.ts";

const CONF = "/etc/modules-load.d/br_netfilter.conf";

Deno.test("server.modprobe in a chroot writes and removes only its modules-load.d file, once; without persist it is refused; its dry run predicts it", async () => {
  await using root = await debianRoot();
  const host = { name: "debian", data: { chroot_directory: root.path }, groups: ["all"] };
  const connector = new ChrootConnector(host, { runProcess });
  await connector.connect();
  try {
    const run = await dryThenReal({ host, connector }, [
      ["server.modprobe", "br_netfilter", { persist: true }],
      ["server.modprobe", "br_netfilter", { persist: true }],
      ["server.modprobe", "br_netfilter"],
      ["server.modprobe", "br_netfilter", { present: false, persist: true }],
      ["server.modprobe", "br_netfilter", { present: false, persist: true }],
      ["server.modprobe", "br_netfilter", { persist: true }],
    ]);
    assertSameRuns(run, ["changed", "no change", "failed", "changed", "no change", "changed"]);
    deepStrictEqual(shown(run.real).slice(0, 5), [
      `changed: created ${CONF}\n--- /dev/null\n+++ ${CONF}\n@@ -0,0 +1,1 @@\n+br_netfilter`,
      `no change: module br_netfilter is in ${CONF}\n`,
      "failed",
      `changed: removed ${CONF}\n`,
      `no change: module br_netfilter is not in ${CONF}\n`,
    ]);
    strictEqual(
      run.real[2].description,
      `server.modprobe is refused on "debian": a chroot shares the kernel of the machine that runs it, so this would act on that machine; pass persist: true to write only ${CONF} in the tree`,
    );
    strictEqual(
      await root.sh(`stat -c '%a %U %s' ${CONF}; cat ${CONF}`),
      "644 root 13\nbr_netfilter",
    );
  } finally {
    await connector.disconnect();
  }
});

/** The FAKE modprobe: makes or removes /sys/module/NAME (`-` as `_`) and logs its arguments. */
const FAKE_MODPROBE = `#!/bin/sh
echo "$*" >> /usr/local/sbin/modprobe.log
if [ "$1" = -r ]; then rmdir "/sys/module/$(echo "$3" | tr - _)"
else mkdir "/sys/module/$(echo "$2" | tr - _)"; fi
`;

Deno.test("server.modprobe loads and unloads a module once each, as /sys/module tells, with its persist file (against a FAKE modprobe)", async () => {
  requireRoot("mounting in a private mount namespace");
  await using ns = await mountNamespace();
  await ns.sh(
    `mount -t tmpfs tmpfs /sys/module && mount -t tmpfs tmpfs /usr/local/sbin && mount -t tmpfs tmpfs /etc/modules-load.d && cat > /usr/local/sbin/modprobe && chmod 755 /usr/local/sbin/modprobe`,
    FAKE_MODPROBE,
  );
  const conf = "/etc/modules-load.d/skiff-fake.conf";
  const run = await dryThenReal(ns.target, [
    ["server.modprobe", "skiff-fake", { persist: true }],
    ["server.modprobe", "skiff-fake", { persist: true }],
    ["server.modprobe", "skiff-fake", { present: false }],
    ["server.modprobe", "skiff-fake", { present: false }],
  ]);
  assertSameRuns(run, ["changed", "no change", "changed", "no change"]);
  deepStrictEqual(shown(run.real), [
    `changed: loaded module skiff-fake, created ${conf}\n--- /dev/null\n+++ ${conf}\n@@ -0,0 +1,1 @@\n+skiff-fake`,
    "no change: module skiff-fake is loaded\n",
    "changed: unloaded module skiff-fake\n",
    "no change: module skiff-fake is not loaded\n",
  ]);
  strictEqual(
    await ns.sh(`cat /usr/local/sbin/modprobe.log ${conf}; ls -A /sys/module`),
    "-- skiff-fake\n-r -- skiff-fake\nskiff-fake",
  );
});

Deno.test("server.modprobe refuses a bad module name with an input error", async () => {
  const h = localHarness();
  for (const name of ["-r", "a b", "../x"]) {
    await rejects(h.op("server.modprobe", name), {
      name: "InputError",
      message: `server.modprobe module: expected a module name such as "br_netfilter", got ${
        JSON.stringify(name)
      }`,
    });
  }
  // A value of another type is refused by the definition's schema, before the run.
  await rejects(h.op("server.modprobe", 7), {
    name: "InputError",
    message: "server.modprobe: argument 1 (module) must be a string, got 7",
  });
});
