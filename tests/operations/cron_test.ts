/**
 * `cron.entry` and the fact `cron.entries` inside a disposable Debian tree
 * (tests/helpers/debian_root.ts) through the real ChrootConnector. The
 * cached tree has no `crontab` (cron is not installed and there is no
 * mirror to install it from here), so these runs write cron's spool file
 * /var/spool/cron/crontabs/USER as `crontab` does. The `crontab -l` /
 * `crontab -` path runs against a fake `crontab` script (named as such)
 * that keeps each user's crontab in /var/tmp.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { runProcess } from "../../lib/process.ts";
import { entries } from "../../lib/facts/cron.ts";
import { callOperation } from "../../lib/operations/registry.ts";
import { HostSession } from "../../lib/run/session.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { GRANT_ALL, localHarness } from "../helpers/ops.ts";
import { dryThenReal, shown } from "../helpers/predict.ts";

const BACKUP = { command: "/usr/local/bin/backup", minute: 30, hour: 2, user: "root" };
const CALL = {
  dryRun: false,
  wantDiff: false,
  deployDefaults: {},
  local: { policy: GRANT_ALL, base: "/" },
};

Deno.test("cron.entry adds, updates and removes marker-managed lines once; its dry run predicts it; cron.entries reads them", async (t) => {
  await using root = await debianRoot();
  strictEqual(await root.sh("command -v crontab || echo none"), "none");
  const host = { name: "debian", data: { chroot_directory: root.path }, groups: ["all"] };
  const connector = new ChrootConnector(host, { runProcess });
  await connector.connect();
  try {
    const run = await dryThenReal({ host, connector }, [
      ["cron.entry", "backup", BACKUP],
      ["cron.entry", "backup", BACKUP],
      ["cron.entry", "backup", { ...BACKUP, hour: "3" }],
      ["cron.entry", "clean tmp", {
        command: "find /tmp -mtime +7 -delete",
        user: "root",
        env: { LANG: "C.UTF-8", FMT: "%Y 'x'" },
      }],
      ["cron.entry", "clean tmp", {
        command: "find /tmp -mtime +7 -delete",
        user: "root",
        env: { LANG: "C.UTF-8", FMT: "%Y 'x'" },
      }],
      ["cron.entry", "backup", { user: "root", present: false }],
      ["cron.entry", "backup", { user: "root", present: false }],
      ["cron.entry", "hello", { command: "echo hi", minute: "*/5", user: "nobody" }],
    ]);
    const CLEAN = `* * * * * LANG='C.UTF-8' FMT='\\%Y '"'"'x'"'"'' find /tmp -mtime +7 -delete`;
    deepStrictEqual(shown(run.real), [
      "changed: added cron entry backup for root\n--- crontab (root)\n+++ crontab (root)\n@@ -0,0 +1,2 @@\n+# skiff: backup\n+30 2 * * * /usr/local/bin/backup",
      "no change: cron entry backup is as wanted for root\n",
      "changed: updated cron entry backup for root\n--- crontab (root)\n+++ crontab (root)\n@@ -1,2 +1,2 @@\n # skiff: backup\n-30 2 * * * /usr/local/bin/backup\n+30 3 * * * /usr/local/bin/backup",
      `changed: added cron entry clean tmp for root\n--- crontab (root)\n+++ crontab (root)\n@@ -1,2 +1,4 @@\n # skiff: backup\n 30 3 * * * /usr/local/bin/backup\n+# skiff: clean tmp\n+${CLEAN}`,
      "no change: cron entry clean tmp is as wanted for root\n",
      `changed: removed cron entry backup for root\n--- crontab (root)\n+++ crontab (root)\n@@ -1,4 +1,2 @@\n-# skiff: backup\n-30 3 * * * /usr/local/bin/backup\n # skiff: clean tmp\n ${CLEAN}`,
      "no change: cron entry backup is absent for root\n",
      "changed: added cron entry hello for nobody\n--- crontab (nobody)\n+++ crontab (nobody)\n@@ -0,0 +1,2 @@\n+# skiff: hello\n+*/5 * * * * echo hi",
    ]);
    deepStrictEqual(shown(run.dry), shown(run.real));
    await t.step("the spool files are as crontab writes them: owner, mode 600", async () => {
      strictEqual(
        await root.sh("cd /var/spool/cron/crontabs && stat -c '%n %U %a' root nobody && cat root"),
        `root root 600\nnobody nobody 600\n# skiff: clean tmp\n${CLEAN}`,
      );
    });
    await t.step(
      "cron.entries: the managed entries by name, and as a dry run predicts them",
      async () => {
        const session = new HostSession(
          { ...host, connector: ChrootConnector as never },
          connector,
          {
            predict: true,
          },
        );
        deepStrictEqual(await session.fact(entries, "nobody"), {
          hello: {
            minute: "*/5",
            hour: "*",
            dayOfMonth: "*",
            month: "*",
            dayOfWeek: "*",
            command: "echo hi",
          },
        });
        await callOperation(
          session,
          "cron.entry",
          ["bye", { command: "echo bye", user: "nobody" }],
          { ...CALL, dryRun: true },
        );
        deepStrictEqual(Object.keys(await session.fact(entries, "nobody")), [
          "hello",
          "bye",
        ]);
        strictEqual(
          await root.sh("cat /var/spool/cron/crontabs/nobody"),
          "# skiff: hello\n*/5 * * * * echo hi",
        );
      },
    );
  } finally {
    await connector.disconnect();
  }
});

/** A fake `crontab` (named as such): `[-u USER] -l` and `[-u USER] -`, kept in /var/tmp/fake-crontab.USER. */
const FAKE_CRONTAB = `#!/bin/sh
u=$(id -un)
if [ "$1" = -u ]; then u=$2; shift 2; fi
f=/var/tmp/fake-crontab.$u
if [ "$u" = broken ]; then echo "crontabs/broken: Permission denied" >&2; exit 1; fi
case "$1" in
  -l) if [ -f "$f" ]; then cat "$f"; else echo "no crontab for $u" >&2; exit 1; fi ;;
  -) cat > "$f"; echo "$u" >> /var/tmp/fake-crontab.installs ;;
  *) exit 2 ;;
esac
`;

Deno.test("cron.entry through crontab -l / crontab - (a fake crontab): once, predicted, and a failing crontab -l is no empty crontab", async () => {
  await using root = await debianRoot();
  await root.sh(`cat > /usr/bin/crontab <<'EOF'\n${FAKE_CRONTAB}EOF\nchmod 755 /usr/bin/crontab`);
  const host = { name: "debian", data: { chroot_directory: root.path }, groups: ["all"] };
  const connector = new ChrootConnector(host, { runProcess });
  await connector.connect();
  try {
    const run = await dryThenReal({ host, connector }, [
      ["cron.entry", "backup", BACKUP],
      ["cron.entry", "backup", BACKUP],
      ["cron.entry", "mine", { command: "true", dayOfWeek: "1-5" }],
      ["cron.entry", "mine", { command: "true", dayOfWeek: "1-5" }],
      ["cron.entry", "backup", { user: "root", present: false }],
      ["cron.entry", "x", { command: "true", user: "broken" }],
    ]);
    deepStrictEqual(shown(run.real).map((line) => line.split("\n")[0]), [
      "changed: added cron entry backup for root",
      "no change: cron entry backup is as wanted for root",
      "changed: added cron entry mine",
      "no change: cron entry mine is as wanted",
      "changed: removed cron entry backup for root",
      "failed",
    ]);
    deepStrictEqual(shown(run.dry), shown(run.real));
    strictEqual(
      await root.sh("cat /var/tmp/fake-crontab.root; cat /var/tmp/fake-crontab.installs"),
      "# skiff: mine\n* * * * 1-5 true\nroot\nroot\nroot",
    );
    strictEqual(
      await root.sh("ls /var/spool/cron 2>&1 || true"),
      "ls: cannot access '/var/spool/cron': No such file or directory",
    );
  } finally {
    await connector.disconnect();
  }
});

Deno.test("cron.entry refuses bad input with an input error naming the argument", async (t) => {
  const h = localHarness();
  const cases: [unknown[], string][] = [
    [["-x", { command: "true" }], `cron.entry name: must not start with "-", got "-x"`],
    [["a\nb", { command: "true" }], `cron.entry name: expected one line of text, got "a\\nb"`],
    [["x", {}], `cron.entry command: expected one line of shell, got undefined`],
    [
      ["x", { command: "true", hour: "1 2" }],
      `cron.entry hour: expected a schedule field such as "*/5" or 30, got "1 2"`,
    ],
    [["x", { command: "true", user: "-u" }], `cron.entry user: expected a user name, got "-u"`],
    [["x", { command: "true", env: { "A-B": "1" } }], `cron.entry env: not a variable name: "A-B"`],
  ];
  for (const [args, message] of cases) {
    await t.step(message, async () => {
      await rejects(h.op("cron.entry", ...args), { name: "InputError", message });
    });
  }
});
