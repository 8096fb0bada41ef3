/**
 * The operations of issue 15's breadth item through the real CLI, as a user
 * runs them: `skiff deploy --dry`, then for real, then for real again on
 * the converged hosts. cron, time zone and locale in a Debian tree
 * (`connector: chroot`); copy, move and wait on @local in a temporary
 * directory. The deploy reads `facts.cron.entries` after its `cron.entry`,
 * so the dry run's prediction of that fact is what it writes; `skiff facts`
 * reads it afterwards, for root by name and for the connecting user.
 */

import { deepStrictEqual, match as assertMatch, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { tempDir } from "../helpers/temp.ts";

/** The operation lines of a run (`[host] op subject: outcome (…)`). */
function opLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /^\[(tree|@local)\] [a-z]+\.[a-z]+/.test(line));
}

Deno.test("skiff deploy: cron.entry, cron.entries, server.timezone, server.locale, files.copy, files.move, server.wait dry, real, then converged", async () => {
  await using root = await debianRoot();
  await using dir = await tempDir();
  const d = dir.path;
  await Deno.writeTextFile(`${d}/src.conf`, "one\n");
  await Deno.writeTextFile(
    dir.join("fleet.yml"),
    `fleet:\n  hosts:\n    tree: {connector: chroot, chroot_directory: ${root.path}}\n    "@local": {}\n`,
  );
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `export default async function ({ host, ops, facts }) {
  if (host.name === "tree") {
    await ops.cron.entry("backup", { command: "/usr/local/bin/backup", minute: 30, hour: 2, user: "root" });
    const entries = await facts.cron.entries("root");
    await ops.files.put({ content: Object.keys(entries).join(",") + "\\n" }, "/root/entries");
    await ops.server.timezone("Europe/Berlin");
    await ops.server.locale("C.UTF-8");
    return;
  }
  await ops.files.copy(${JSON.stringify(`${d}/src.conf`)}, ${
      JSON.stringify(`${d}/copy.conf`)
    }, { mode: "600" });
  await ops.files.move(${JSON.stringify(`${d}/copy.conf`)}, ${JSON.stringify(`${d}/moved.conf`)});
  await ops.server.wait({ path: ${JSON.stringify(`${d}/moved.conf`)}, timeout: 5 });
}
`,
  );
  const deploy = (...flags: string[]) =>
    runSkiff(["deploy", dir.join("fleet.yml"), dir.join("deploy.ts"), ...flags]);
  const first = [
    "[tree] cron.entry backup: CHANGE (added cron entry backup for root)",
    "[tree] files.put /root/entries: CHANGE (created /root/entries)",
    "[tree] server.timezone Europe/Berlin: CHANGE (time zone Etc/UTC -> Europe/Berlin)",
    "[tree] server.locale C.UTF-8: CHANGE (created /etc/default/locale)",
    `[@local] files.copy ${d}/copy.conf: CHANGE (copied ${d}/src.conf -> ${d}/copy.conf)`,
    `[@local] files.move ${d}/moved.conf: CHANGE (moved ${d}/copy.conf -> ${d}/moved.conf)`,
  ];
  const sorted = (lines: string[]) => [...lines].sort();
  const dry = await deploy("--dry");
  strictEqual(dry.code, 0, dry.stdout + dry.stderr);
  deepStrictEqual(
    sorted(opLines(dry.stdout)),
    sorted(first.map((l) => l.replace("CHANGE", "would change"))),
  );
  const real = await deploy("-y");
  strictEqual(real.code, 0, real.stdout + real.stderr);
  deepStrictEqual(
    sorted(opLines(real.stdout)),
    sorted(first.map((l) => l.replace("CHANGE", "changed"))),
  );
  strictEqual(
    await root.sh("cat /root/entries; readlink /etc/localtime"),
    "backup\n/usr/share/zoneinfo/Europe/Berlin",
  );
  strictEqual(await Deno.readTextFile(`${d}/moved.conf`), "one\n");
  const facts = await runSkiff([
    "facts",
    `@chroot${root.path}`,
    "cron.entries:root",
    "cron.entries",
  ]);
  strictEqual(facts.code, 0, facts.stdout + facts.stderr);
  const backup =
    `{"backup":{"minute":"30","hour":"2","dayOfMonth":"*","month":"*","dayOfWeek":"*","command":"/usr/local/bin/backup"}}`;
  strictEqual(
    facts.stdout,
    `[@chroot${root.path}] cron.entries:root: ${backup}\n[@chroot${root.path}] cron.entries: ${backup}\n`,
  );
  const again = await deploy("-y");
  strictEqual(again.code, 0, again.stdout + again.stderr);
  // Unchanged operations are not printed (without -v); copy and move run again on @local.
  deepStrictEqual(opLines(again.stdout), [
    `[@local] files.copy ${d}/copy.conf: changed (copied ${d}/src.conf -> ${d}/copy.conf)`,
    `[@local] files.move ${d}/moved.conf: changed (moved ${d}/copy.conf -> ${d}/moved.conf)`,
  ]);
  for (const run of [dry, real, again]) {
    assertMatch(run.stdout, /\nserver\.wait +deploy\.ts:\d+ +0 +1 +0 +0\n/);
  }
  assertMatch(again.stdout, /\ncron\.entry backup +deploy\.ts:\d+ +0 +1 +0 +0\n/);
  assertMatch(again.stdout, /\nserver\.locale C\.UTF-8 +deploy\.ts:\d+ +0 +1 +0 +0\n/);
  assertMatch(again.stdout, /\nserver\.timezone Europe\/Berlin +deploy\.ts:\d+ +0 +1 +0 +0\n/);
});
