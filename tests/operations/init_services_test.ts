/**
 * `sysvinit.service` and `openrc.service` in a Debian tree
 * (tests/helpers/debian_root.ts) through the real ChrootConnector.
 * sysvinit: a real /etc/init.d script the test writes, starting a tiny
 * daemon (`sleep`) with start-stop-daemon, enabled with the tree's real
 * update-rc.d. openrc is not in the tree (and no repository is reached):
 * `rc-service` and `rc-update` there are FAKES (scripts the test writes,
 * named as such) that keep a service's state in files and log each change.
 * Each sequence runs as a dry run, then for real, with the same outcomes,
 * descriptions and diffs.
 */

import { rejects, strictEqual } from "node:assert/strict";
import { debianRoot, treeRuns } from "../helpers/debian_root.ts";
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

/** FAKE rc-service and rc-update: state in files, each change logged. */
const FAKE_OPENRC =
  `mkdir -p /run/fake-openrc && printf '%s\\n' > /etc/init.d/skiffo && cat > /usr/local/bin/rc-service <<'EOF'
#!/bin/sh
# FAKE rc-service (skiff's tests): a started service is a file.
f=/run/fake-openrc/$1
case "$2" in
  status) [ -e "$f" ] && exit 0; exit 3 ;;
  start|restart|reload) touch "$f" ;;
  stop) rm -f "$f" ;;
esac
echo "rc-service $*" >> /run/fake-openrc/log
EOF
cat > /usr/local/bin/rc-update <<'EOF'
#!/bin/sh
# FAKE rc-update (skiff's tests): enabled is a link in /etc/runlevels/RUNLEVEL.
mkdir -p "/etc/runlevels/$3"
if [ "$1" = add ]; then ln -s "/etc/init.d/$2" "/etc/runlevels/$3/$2"; else rm -f "/etc/runlevels/$3/$2"; fi
echo "rc-update $*" >> /run/fake-openrc/log
EOF
chmod 755 /usr/local/bin/rc-service /usr/local/bin/rc-update`;

Deno.test("openrc.service starts, reloads, stops and enables in a runlevel, each once (against FAKE rc-service and rc-update); its dry run predicts it", async () => {
  await using root = await debianRoot();
  await root.sh(FAKE_OPENRC);
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
    await root.sh("cat /run/fake-openrc/log; readlink /etc/runlevels/boot/skiffo"),
    "rc-service skiffo start\nrc-update add skiffo boot\nrc-service skiffo reload\n" +
      "rc-service skiffo stop\n/etc/init.d/skiffo",
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
