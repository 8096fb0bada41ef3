/**
 * `skiff deploy --dry --diff` through the real CLI shows diffs beyond
 * files: packages (`+hello`), services (`stopped → running`, `disabled →
 * enabled`), users and groups (shell, groups, keys added), git HEAD
 * (`(none) → 9b7e04a (main)`) and sysctl values, as a user reads them. The
 * accounts, package and service run in a Debian tree (`connector: chroot`);
 * git and sysctl on @local, in a dry run only (nothing changes).
 */

import { strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { tempDir } from "../helpers/temp.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGskiffdemokey admin@example";

const INIT_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          skiff-sleeper
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
### END INIT INFO
PID=/run/skiff-sleeper.pid
running() { [ -f $PID ] && kill -0 "$(cat $PID)" 2>/dev/null; }
case "$1" in
  start) running && exit 0; setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! >$PID ;;
  stop) running && kill "$(cat $PID)"; rm -f $PID ;;
  status) running || exit 3 ;;
esac
`;

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: {
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example",
    },
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("skiff deploy --dry --diff shows package, service, account, git and sysctl diffs", async () => {
  await using root = await debianRoot();
  await using dir = await tempDir();
  await root.sh(
    `cat > /etc/init.d/skiff-sleeper <<'EOF'\n${INIT_SCRIPT}EOF\nchmod 755 /etc/init.d/skiff-sleeper`,
  );
  await git(dir.path, "init", "-q", "-b", "main", "origin");
  await Deno.writeTextFile(dir.join("origin/f"), "one\n");
  await git(dir.join("origin"), "add", "f");
  await git(dir.join("origin"), "commit", "-q", "-m", "one");
  const head = await git(dir.join("origin"), "rev-parse", "HEAD");
  const swappiness = (await new Deno.Command("sysctl", { args: ["-n", "vm.swappiness"] }).output())
    .stdout;
  const current = new TextDecoder().decode(swappiness).trim();
  const wanted = current === "1" ? 2 : 1;
  await Deno.writeTextFile(
    dir.join("fleet.yml"),
    `fleet:\n  hosts:\n    tree: {connector: chroot, chroot_directory: ${root.path}}\n    "@local": {}\n`,
  );
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `export default async function ({ host, ops }) {
  if (host.name === "tree") {
    await ops.server.group("site");
    await ops.server.user("deploy", { shell: "/bin/sh", groups: ["site"], publicKeys: [${
      JSON.stringify(KEY)
    }] });
    await ops.systemd.service("skiff-sleeper", { running: true, enabled: true });
    // After a package, services depend on it (its scripts may start them): it comes last.
    await ops.apt.packages(["hello"]);
    return;
  }
  await ops.git.repo(${JSON.stringify(dir.join("origin"))}, ${
      JSON.stringify(dir.join("co"))
    }, { branch: "main" });
  await ops.server.sysctl("vm.swappiness", ${wanted});
}
`,
  );
  const run = await runSkiff([
    "deploy",
    dir.join("fleet.yml"),
    dir.join("deploy.ts"),
    "--dry",
    "--diff",
  ]);
  strictEqual(run.code, 0, run.stdout + run.stderr);
  const out = run.stdout;
  assertIncludes(
    out,
    "[tree] server.group site: would change (created group site)\n    +group site\n",
  );
  assertIncludes(
    out,
    "    +user deploy (home /home/deploy, shell /bin/sh, groups deploy,site)\n" +
      "    user deploy: keys +key ssh-ed25519 …ffdemokey admin@example\n",
  );
  assertIncludes(out, "[tree] apt.packages hello: would change (installed hello)\n    +hello\n");
  assertIncludes(
    out,
    "[tree] systemd.service skiff-sleeper: would change (started skiff-sleeper, enabled skiff-sleeper)\n" +
      "    skiff-sleeper: stopped → running\n    skiff-sleeper: disabled → enabled\n",
  );
  assertIncludes(out, `    ${dir.join("co")}: (none) → ${head.slice(0, 7)} (main)\n`);
  assertIncludes(out, `    vm.swappiness: ${current} → ${wanted}\n`);
  strictEqual(await root.sh("getent group site || echo absent"), "absent");
  strictEqual(await Deno.stat(dir.join("co")).then(() => "made", () => "absent"), "absent");
});
