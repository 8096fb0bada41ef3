/**
 * `sysvinit.service` and `openrc.service` in a Debian tree
 * (tests/helpers/debian_root.ts) through the real ChrootConnector.
 * sysvinit: a real /etc/init.d script the test writes, starting a tiny
 * daemon (`sleep`) with start-stop-daemon, enabled with the tree's real
 * update-rc.d. openrc: the real `openrc` package, installed from the apt
 * mirror into a cached tree of its own (tests/helpers/mariadb_root.ts), with
 * an openrc-run script the test writes; /run/openrc/softlevel stands for
 * the boot openrc would have done.
 * Each sequence runs as a dry run, then for real, with the same outcomes,
 * descriptions and diffs.
 */

import { rejects, strictEqual } from "node:assert/strict";
import { debianRoot, treeRuns } from "../helpers/debian_root.ts";
import { packageTarball } from "../helpers/mariadb_root.ts";
import { localHarness } from "../helpers/ops.ts";
import { assertRunsThenFailure } from "../helpers/predict.ts";

const INIT_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          skiffd
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: skiff's test daemon
### END INIT INFO
P=/run/skiffd.pid
case "$1" in
  start) echo start >> /run/skiffd.log
    start-stop-daemon --start --background --make-pidfile --pidfile $P --exec /bin/sleep -- 1000 ;;
  stop) echo stop >> /run/skiffd.log
    start-stop-daemon --stop --pidfile $P --remove-pidfile --retry 5 ;;
  restart) "$0" stop; "$0" start ;;
  status) start-stop-daemon --status --pidfile $P ;;
  *) exit 3 ;;
esac
`;

Deno.test("sysvinit.service starts, restarts, stops, enables and disables a real init script's daemon, each once; its dry run predicts it", async () => {
  await using root = await debianRoot();
  await Deno.writeTextFile(`${root.path}/etc/init.d/skiffd`, INIT_SCRIPT);
  await Deno.chmod(`${root.path}/etc/init.d/skiffd`, 0o755);
  const run = await treeRuns(root, [
    ["sysvinit.service", "skiffd", { running: true, enabled: true }],
    ["sysvinit.service", "skiffd", { running: true, enabled: true }],
    ["sysvinit.service", "skiffd", { restarted: true }],
    ["sysvinit.service", "skiffd", { running: false, enabled: false }],
    ["sysvinit.service", "skiffd", { running: false, enabled: false }],
    ["sysvinit.service", "nothere", { running: true }],
  ]);
  assertRunsThenFailure(run, [
    "changed: started skiffd, enabled skiffd\nskiffd: started\nskiffd: enabled",
    "no change: skiffd is running, enabled\n",
    "changed: restarted skiffd\nskiffd: restarted",
    "changed: stopped skiffd, disabled skiffd\nskiffd: stopped\nskiffd: disabled",
    "no change: skiffd is stopped, disabled\n",
  ], "sysvinit.service: there is no executable /etc/init.d/nothere");
  strictEqual(
    await root.sh(
      "cat /run/skiffd.log; ls /etc/rc2.d | grep skiffd; /etc/init.d/skiffd status; echo status=$?",
    ),
    "start\nstop\nstart\nstop\nK01skiffd\nstatus=3",
  );
});

/** An openrc-run service: a `sleep` daemon; start, stop and reload logged. */
const OPENRC_SCRIPT = `#!/sbin/openrc-run
command=/bin/sleep
command_args=1000
command_background=true
pidfile=/run/skiffo.pid
extra_started_commands="reload"
start_pre() { echo start >> /run/skiffo.log; }
stop_post() { echo stop >> /run/skiffo.log; }
reload() { echo reload >> /run/skiffo.log; }
`;

Deno.test("openrc.service starts, reloads, stops and enables in a runlevel a real openrc-run service, each once; its dry run predicts it", async () => {
  await using root = await debianRoot(await packageTarball("openrc", ["openrc"]));
  await Deno.writeTextFile(`${root.path}/etc/init.d/skiffo`, OPENRC_SCRIPT);
  await Deno.chmod(`${root.path}/etc/init.d/skiffo`, 0o755);
  await root.sh("mkdir -p /run/openrc && touch /run/openrc/softlevel");
  const base = { runlevel: "boot" };
  const run = await treeRuns(root, [
    ["openrc.service", "skiffo", { ...base, running: true, enabled: true }],
    ["openrc.service", "skiffo", { ...base, running: true, enabled: true }],
    ["openrc.service", "skiffo", { ...base, reloaded: true }],
    ["openrc.service", "skiffo", { ...base, running: false }],
    ["openrc.service", "skiffo", { ...base, running: false }],
    ["openrc.service", "nothere", { running: true }],
  ]);
  assertRunsThenFailure(run, [
    "changed: started skiffo, enabled skiffo\nskiffo: started\nskiffo: enabled",
    "no change: skiffo is running, enabled\n",
    "changed: reloaded skiffo\nskiffo: reloaded",
    "changed: stopped skiffo\nskiffo: stopped",
    "no change: skiffo is stopped, enabled\n",
  ], "openrc.service: there is no /etc/init.d/nothere");
  strictEqual(
    await root.sh(
      "cat /run/skiffo.log; readlink /etc/runlevels/boot/skiffo; rc-service skiffo status >/dev/null 2>&1; echo status=$?",
    ),
    "start\nreload\nstop\n/etc/init.d/skiffo\nstatus=3",
  );
});

Deno.test("sysvinit.service and openrc.service refuse bad arguments with an input error", async () => {
  const h = localHarness();
  const cases: [string, unknown[], string][] = [
    [
      "sysvinit.service",
      ["-x"],
      `sysvinit.service service: expected a service name such as "nginx", got "-x"`,
    ],
    [
      "openrc.service",
      ["a b"],
      `openrc.service service: expected a service name such as "nginx", got "a b"`,
    ],
    [
      "openrc.service",
      ["sshd", { running: "yes" }],
      `openrc.service: option "running" must be true or false, got "yes"`,
    ],
    [
      "openrc.service",
      ["sshd", { runlevel: "../x" }],
      `openrc.service runlevel: expected a runlevel name, got "../x"`,
    ],
    [
      "sysvinit.service",
      ["sshd", { runlevel: "boot" }],
      `sysvinit.service: unknown option "runlevel"`,
    ],
    [
      "sysvinit.service",
      [{ service: "sshd", running: true }],
      'sysvinit.service: the service comes first, then the options: ops.sysvinit.service("nginx", { running: true, enabled: true })',
    ],
  ];
  for (const [name, args, message] of cases) {
    await rejects(h.op(name, ...args), { name: "InputError", message });
  }
});
