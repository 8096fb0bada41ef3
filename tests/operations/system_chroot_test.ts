/**
 * Package, service and account operations for real, inside a disposable
 * Debian minbase tree (see tests/helpers/debian_root.ts) reached through the
 * real ChrootConnector (with /proc mounted by the test tree). PID 1 is not systemd here, so services use
 * the init-script fallback and `update-rc.d` / `systemctl --root=/`.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runProcess } from "../../lib/process.ts";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { connectorHarness } from "../helpers/ops.ts";

const INIT_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          skiff-sleeper
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: a test daemon
### END INIT INFO
PID=/run/skiff-sleeper.pid
running() { [ -f $PID ] && kill -0 "$(cat $PID)" 2>/dev/null; }
case "$1" in
  start) running && exit 0; setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! >$PID ;;
  stop) running && kill "$(cat $PID)"; rm -f $PID ;;
  restart) "$0" stop; "$0" start ;;
  status) running || exit 3 ;;
  *) exit 3 ;;
esac
`;

const UNIT = `[Unit]
Description=a test daemon

[Service]
ExecStart=/bin/sleep 1000

[Install]
WantedBy=multi-user.target
`;

Deno.test("apt, systemd and packages operations change a Debian tree once", async (t) => {
  await using root = await debianRoot();
  const host = { name: "debian", data: { chroot_directory: root.path }, groups: ["all"] };
  const connector = new ChrootConnector(host, { runProcess });
  await connector.connect();
  const h = connectorHarness(host, connector);
  const inside = (script: string) => root.sh(script).then((out) => out.trim());

  await t.step("apt.update with cacheTime updates once", async () => {
    await inside("touch -d '2 days ago' /var/lib/apt/lists");
    const first = await h.op("apt.update", { cacheTime: 3600 });
    deepStrictEqual([first.changed, first.description], [true, "updated the package lists"]);
    const second = await h.op("apt.update", { cacheTime: 3600 });
    deepStrictEqual([second.changed, second.description], [
      false,
      "package lists are newer than 3600 s",
    ]);
  });

  await t.step("apt.packages installs hello once; dry run installs nothing", async () => {
    const dry = await h.dry("apt.packages", ["hello"]);
    deepStrictEqual([dry.changed, dry.description], [true, "installed hello"]);
    strictEqual(await inside("command -v hello || echo absent"), "absent");
    const first = await h.op("apt.packages", ["hello"], { noRecommends: true });
    deepStrictEqual([first.changed, first.description], [true, "installed hello"]);
    strictEqual(await inside("hello"), "Hello, world!");
    const second = await h.op("apt.packages", ["hello"], { noRecommends: true });
    deepStrictEqual([second.changed, second.description], [false, "hello installed"]);
  });

  await t.step(
    "apt.packages present false removes it once; packages.install puts it back",
    async () => {
      strictEqual(
        (await h.op("apt.packages", "hello", { present: false })).changed,
        true,
      );
      strictEqual(await inside("command -v hello || echo absent"), "absent");
      strictEqual(
        (await h.op("apt.packages", "hello", { present: false })).changed,
        false,
      );
      const back = await h.op("packages.install", "hello");
      deepStrictEqual([back.changed, back.description], [true, "installed hello"]);
      strictEqual((await h.op("packages.install", "hello")).changed, false);
    },
  );

  await t.step("apt.key and apt.repo write a signed-by deb822 entry once", async () => {
    const key =
      "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a real key\n-----END PGP PUBLIC KEY BLOCK-----\n";
    const repo = {
      uris: "file:/srv/skiff-repo",
      suites: "stable",
      components: ["main"],
      signedBy: "/etc/apt/keyrings/skiff-test.asc",
      update: false,
    };
    strictEqual(
      (await h.op("apt.key", "/etc/apt/keyrings/skiff-test.asc", { content: key })).changed,
      true,
    );
    strictEqual(
      (await h.op("apt.repo", "skiff-test", repo)).description,
      "created /etc/apt/sources.list.d/skiff-test.sources",
    );
    strictEqual(
      await Deno.readTextFile(`${root.path}/etc/apt/sources.list.d/skiff-test.sources`),
      "Types: deb\nURIs: file:/srv/skiff-repo\nSuites: stable\nComponents: main\nSigned-By: /etc/apt/keyrings/skiff-test.asc\n",
    );
    strictEqual(await inside("stat -c %a /etc/apt/keyrings/skiff-test.asc"), "644");
    strictEqual(
      (await h.op("apt.key", "/etc/apt/keyrings/skiff-test.asc", { content: key })).changed,
      false,
    );
    strictEqual((await h.op("apt.repo", "skiff-test", repo)).changed, false);
    strictEqual((await h.op("apt.repo", "skiff-test", { ...repo, present: false })).changed, true);
    strictEqual((await h.op("apt.repo", "skiff-test", { ...repo, present: false })).changed, false);
  });

  await t.step(
    "systemd.service starts through the init script and enables with update-rc.d",
    async () => {
      await h.op("files.put", { content: INIT_SCRIPT }, "/etc/init.d/skiff-sleeper", {
        mode: "755",
      });
      const wanted = { running: true, enabled: true };
      const dry = await h.dry("systemd.service", "skiff-sleeper", wanted);
      deepStrictEqual([dry.changed, dry.description], [
        true,
        "started skiff-sleeper, enabled skiff-sleeper",
      ]);
      strictEqual(await inside("service skiff-sleeper status; echo $?"), "3");
      const first = await h.op("systemd.service", "skiff-sleeper", wanted);
      strictEqual(first.description, "started skiff-sleeper, enabled skiff-sleeper");
      deepStrictEqual(first.commands, [
        "service skiff-sleeper start",
        "update-rc.d skiff-sleeper defaults && update-rc.d skiff-sleeper enable",
      ]);
      strictEqual(await inside("service skiff-sleeper status; echo $?"), "0");
      strictEqual(await inside("ls /etc/rc2.d"), "S01skiff-sleeper");
      const second = await h.op("systemd.service", "skiff-sleeper", wanted);
      deepStrictEqual([second.changed, second.description], [
        false,
        "skiff-sleeper is running, enabled",
      ]);
    },
  );

  await t.step("changed restarts it; changed false does not; running false stops it", async () => {
    const pid = await inside("cat /run/skiff-sleeper.pid");
    strictEqual(
      (await h.op("systemd.service", "skiff-sleeper", { running: true, changed: false }))
        .changed,
      false,
    );
    strictEqual(
      (await h.op("systemd.service", "skiff-sleeper", { running: true, changed: true }))
        .description,
      "restarted skiff-sleeper",
    );
    strictEqual((await inside("cat /run/skiff-sleeper.pid")) !== pid, true);
    strictEqual(
      (await h.op("systemd.service", "skiff-sleeper", { running: false })).description,
      "stopped skiff-sleeper",
    );
    strictEqual(await inside("service skiff-sleeper status; echo $?"), "3");
    strictEqual(
      (await h.op("systemd.service", "skiff-sleeper", { running: false })).changed,
      false,
    );
  });

  await t.step(
    "with systemctl installed, systemd.unit and systemctl --root=/ enablement",
    async () => {
      strictEqual(
        (await h.op("apt.packages", "systemd", { noRecommends: true })).changed,
        true,
      );
      const unit = await h.op("systemd.unit", "skiff-sleeper.service", UNIT);
      deepStrictEqual([unit.changed, unit.description], [
        true,
        "created /etc/systemd/system/skiff-sleeper.service",
      ]);
      strictEqual((await h.op("systemd.unit", "skiff-sleeper.service", UNIT)).changed, false);
      strictEqual(
        await inside("systemctl --root=/ is-enabled skiff-sleeper.service || true"),
        "disabled",
      );
      const on = await h.op("systemd.service", "skiff-sleeper", { enabled: true });
      deepStrictEqual([on.description, on.commands], [
        "enabled skiff-sleeper",
        ["systemctl --root=/ enable skiff-sleeper.service"],
      ]);
      strictEqual(
        await inside("readlink /etc/systemd/system/multi-user.target.wants/skiff-sleeper.service"),
        "/etc/systemd/system/skiff-sleeper.service",
      );
      strictEqual(
        (await h.op("systemd.service", "skiff-sleeper", { enabled: true })).changed,
        false,
      );
      const off = await h.op("systemd.service", "skiff-sleeper", { enabled: false });
      deepStrictEqual([off.description, off.commands], [
        "disabled skiff-sleeper",
        ["systemctl --root=/ disable skiff-sleeper.service"],
      ]);
      strictEqual(
        await inside("systemctl --root=/ is-enabled skiff-sleeper.service || true"),
        "disabled",
      );
      strictEqual(
        (await h.op("systemd.service", "skiff-sleeper", { enabled: false })).changed,
        false,
      );
    },
  );
});
