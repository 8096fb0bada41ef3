/**
 * For each account, package, service and host operation, inside a
 * disposable Debian tree (tests/helpers/debian_root.ts) through the real
 * ChrootConnector: a dry run after an earlier operation that creates,
 * changes or removes what it touches reports the outcome the real run then
 * has. Each sequence runs as a dry run (one session keeping the predicted
 * state), then for real, on a fresh tree; with `--diff`'s diffs checked.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { debianRoot, treeRuns } from "../helpers/debian_root.ts";
import {
  assertSameRuns as same,
  outcomes,
  type Step,
  type StepOutcome,
} from "../helpers/predict.ts";

/** Runs `steps` dry, then for real, in a fresh Debian tree prepared by `setup`. */
async function predict(
  steps: Step[],
  setup?: (sh: (script: string) => Promise<string>) => Promise<unknown>,
): Promise<{ dry: StepOutcome[]; real: StepOutcome[] }> {
  await using root = await debianRoot();
  await setup?.(root.sh);
  return await treeRuns(root, steps);
}

const KEY1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGskiffkeyone one@example";
const KEY2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGskiffkeytwo two@example";

Deno.test("server.group and server.user follow the accounts, groups, homes and keys made earlier in the dry run", async () => {
  const run = await predict([
    ["server.group", "site"],
    ["server.group", "site"],
    ["server.group", "site", { gid: 4321 }],
    ["server.user", "ghost", { groups: ["nosuch"] }],
    ["server.user", "deploy", { shell: "/bin/sh", groups: ["site"], publicKeys: [KEY1] }],
    ["server.user", "deploy", { shell: "/bin/sh", groups: ["site"], publicKeys: [KEY1] }],
    ["files.directory", "/home/deploy/.ssh", { mode: "700", user: "deploy" }],
    ["files.file", "/home/deploy/.profile"],
    ["server.user", "deploy", { shell: "/bin/bash", groups: [], publicKeys: [KEY2] }],
    ["server.group", "webapp", { system: true }],
    ["server.user", "webapp", {
      group: "webapp",
      home: "/srv/webapp",
      shell: "/usr/sbin/nologin",
      system: true,
    }],
    ["files.directory", "/srv/webapp", { user: "webapp", group: "webapp", mode: "755" }],
    ["server.group", "clash"],
    ["server.user", "clash"],
    ["server.user", "deploy", { present: false }],
    ["server.user", "deploy", { present: false }],
    ["server.group", "site", { present: false }],
    ["server.user", "other", { groups: ["site"] }],
  ]);
  same(run, [
    "changed",
    "no change",
    "changed",
    "failed",
    "changed",
    "no change",
    "no change",
    "no change",
    "changed",
    "changed",
    "changed",
    "no change",
    "changed",
    "failed",
    "changed",
    "no change",
    "changed",
    "failed",
  ]);
  deepStrictEqual(run.dry.map((step) => step.diff), [
    "+group site",
    undefined,
    "group site: gid 1000 → 4321",
    undefined,
    "+user deploy (home /home/deploy, shell /bin/sh, groups deploy,site)\n" +
    "user deploy: keys +key ssh-ed25519 …iffkeyone one@example",
    undefined,
    undefined,
    undefined,
    "user deploy: shell /bin/sh → /bin/bash\nuser deploy: groups -site\n" +
    "user deploy: keys +key ssh-ed25519 …iffkeytwo two@example -key ssh-ed25519 …iffkeyone one@example",
    "+group webapp",
    "+user webapp (home /srv/webapp, shell /usr/sbin/nologin, groups webapp)",
    undefined,
    "+group clash",
    undefined,
    "-user deploy",
    undefined,
    "-group site",
    undefined,
  ]);
});

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

Deno.test("systemd.service follows an init script written earlier and its own starts and stops", async () => {
  const sleeper = "skiff-sleeper";
  const run = await predict([
    ["systemd.service", sleeper, { running: true }],
    ["files.put", { content: INIT_SCRIPT }, "/etc/init.d/skiff-sleeper", { mode: "755" }],
    ["systemd.service", sleeper, { running: true, enabled: true }],
    ["systemd.service", sleeper, { running: true, enabled: true }],
    ["systemd.service", sleeper, { running: true, changed: true }],
    ["systemd.service", sleeper, { running: false, enabled: false }],
    ["systemd.service", sleeper, { running: false, enabled: false }],
  ]);
  deepStrictEqual(outcomes(run.real), outcomes(run.dry));
  deepStrictEqual(outcomes(run.real), [
    "failed",
    "changed",
    "changed",
    "no change",
    "changed",
    "changed",
    "no change",
  ]);
  // The init script did not exist on the host: its state depends on that earlier write.
  strictEqual(run.dry[2].description, "depends on an earlier change");
  deepStrictEqual(run.dry.slice(3).map((step) => [step.description, step.diff]), [
    ["skiff-sleeper is running, enabled", undefined],
    ["restarted skiff-sleeper", "skiff-sleeper: restarted"],
    [
      "stopped skiff-sleeper, disabled skiff-sleeper",
      "skiff-sleeper: running → stopped\nskiff-sleeper: enabled → disabled",
    ],
    ["skiff-sleeper is stopped, disabled", undefined],
  ]);
  deepStrictEqual(run.real.slice(5).map((step) => step.diff), run.dry.slice(5).map((s) => s.diff));
});

Deno.test("apt.update, apt.packages and packages.install follow the lists and packages the dry run would change", async () => {
  const run = await predict(
    [
      ["apt.update", { cacheTime: 3600 }],
      ["apt.update", { cacheTime: 3600 }],
      ["apt.packages", ["hello"], { noRecommends: true }],
      ["apt.packages", ["hello"], { noRecommends: true }],
      ["packages.install", "hello"],
      ["apt.packages", "hello", { present: false }],
      ["packages.install", "hello", { present: false }],
      ["apt.packages", ["bash"]],
    ],
    (sh) => sh("touch -d '2 days ago' /var/lib/apt/lists"),
  );
  same(run, [
    "changed",
    "no change",
    "changed",
    "no change",
    "no change",
    "changed",
    "no change",
    "no change",
  ]);
  deepStrictEqual(run.dry.map((step) => step.diff), [
    undefined,
    undefined,
    "+hello",
    undefined,
    undefined,
    "-hello",
    undefined,
    undefined,
  ]);
});

Deno.test("apt.key, apt.repo and systemd.unit follow the files and lists the dry run would write", async () => {
  const key =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a real key\n-----END PGP PUBLIC KEY BLOCK-----\n";
  const repo = {
    uris: "file:/srv/skiff-repo",
    suites: "stable",
    components: ["main"],
    signedBy: "/etc/apt/keyrings/skiff-test.asc",
    update: false,
  };
  const unit = "[Unit]\nDescription=t\n\n[Service]\nExecStart=/bin/sleep 1000\n";
  const run = await predict([
    ["apt.key", "/etc/apt/keyrings/skiff-test.asc", { content: key }],
    ["apt.key", "/etc/apt/keyrings/skiff-test.asc", { content: key }],
    ["apt.repo", "skiff-test", repo],
    ["apt.repo", "skiff-test", repo],
    ["files.file", "/etc/apt/sources.list.d/skiff-test.sources", { mode: "644" }],
    ["apt.repo", "skiff-test", { ...repo, present: false }],
    ["apt.repo", "skiff-test", { ...repo, present: false }],
    ["systemd.unit", "skiff-t.service", unit],
    ["systemd.unit", "skiff-t.service", unit],
    ["systemd.unit", "skiff-t.service", unit + "\n"],
  ]);
  same(run, [
    "changed",
    "no change",
    "changed",
    "no change",
    "no change",
    "changed",
    "no change",
    "changed",
    "no change",
    "changed",
  ]);
});

Deno.test("server.hostname and server.sysctl in a chroot (their file parts) follow what the dry run wrote", async () => {
  const run = await predict([
    ["server.hostname", "one.example.com"],
    ["server.hostname", "one.example.com"],
    ["files.file", "/etc/hostname", { present: false }],
    ["server.hostname", "one.example.com"],
    ["server.hostname", "two.example.com"],
    ["files.directory", "/etc/sysctl.d", { mode: "755" }],
    ["files.directory", "/etc/sysctl.d", { mode: "755" }],
    ["server.sysctl", "vm.swappiness", 1, { persist: true }],
    ["server.sysctl", "vm.swappiness", 1, { persist: true }],
    ["server.sysctl", "vm.swappiness", 5, { persist: true }],
    ["server.sysctl", "vm.swappiness", 1],
  ]);
  same(run, [
    "changed",
    "no change",
    "changed",
    "changed",
    "changed",
    "changed",
    "no change",
    "changed",
    "no change",
    "changed",
    "failed",
  ]);
  strictEqual(
    run.dry[3].description,
    "/etc/hostname (none) -> one.example.com (only the file in a chroot)",
  );
  strictEqual(run.dry[4].diff, "/etc/hostname: one.example.com → two.example.com");
});
