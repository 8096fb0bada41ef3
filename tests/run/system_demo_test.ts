/**
 * The system demo deploy through the real runner (sandboxed deploy worker,
 * sessions, facts) against a disposable Debian tree reached with the
 * real ChrootConnector (with /proc mounted by the test tree): everything changes once, nothing the second
 * time.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { RunEvent } from "../../lib/run/events.ts";
import { runProcess } from "../../lib/process.ts";
import { runDeploys } from "../../lib/run/runner.ts";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import "../helpers/cli.ts"; // the test process's own run lock path

const DEMO = new URL("../../fleets/deploys/system_demo.ts", import.meta.url).pathname;
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGskiffdemokey demo@example";

async function git(cwd: string, ...args: string[]): Promise<void> {
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
}

Deno.test("the system demo deploy changes a Debian tree once and nothing the second time", async () => {
  await using root = await debianRoot();
  await root.sh("touch -d '2 days ago' /var/lib/apt/lists");
  const origin = `${root.path}/srv/origin.git`;
  await git(root.path, "init", "-q", "--bare", "-b", "main", origin);
  const work = await Deno.makeTempDir({ prefix: "skiff-site-" });
  try {
    await git(work, "clone", "-q", origin, ".");
    await Deno.writeTextFile(`${work}/index.html`, "<h1>hello</h1>\n");
    await git(work, "add", "index.html");
    await git(work, "commit", "-q", "-m", "site");
    await git(work, "push", "-q", "origin", "main");
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  const port = 20000 + Math.floor(Math.random() * 20000);
  const host = {
    name: "demo",
    data: {
      chroot_directory: root.path,
      site_repo: "/srv/origin.git",
      site_port: port,
      deploy_key: KEY,
    },
    groups: ["all"],
    connector: ChrootConnector,
  };
  const run = async (dryRun: boolean) => {
    const events: RunEvent[] = [];
    const outcome = await runDeploys({
      inventory: { hosts: [host], config: {} },
      deployPaths: [DEMO],
      cliArguments: {},
      dryRun,
      wantDiff: false,
      parallel: 1,
      context: { runProcess },
      emit: (event) => events.push(event),
    });
    const results = events.flatMap((e) =>
      e.type === "op-result" ? [`${e.op} ${e.subject}: ${e.changed ? "changed" : "no change"}`] : []
    );
    const descriptions = events.flatMap((e) => e.type === "op-result" ? [e.description] : []);
    return { outcome, results, descriptions };
  };
  const ops = [
    "apt.packages nginx-light git",
    "server.group site",
    "server.user deploy",
    "git.repo /srv/site",
    "files.file /etc/nginx/sites-enabled/default",
    "files.template templates/site.conf.j2",
    "systemd.service nginx",
  ];

  const dry = await run(true);
  strictEqual(dry.outcome.failed, 0, dry.outcome.hosts[0].error);
  // The dry run predicts what the first run does: nginx's package brings a
  // default site, so removing it depends on that earlier change.
  deepStrictEqual(dry.results, ops.map((op) => `${op}: changed`));
  strictEqual(
    dry.descriptions[ops.indexOf("files.file /etc/nginx/sites-enabled/default")],
    "depends on an earlier change",
  );
  strictEqual(await root.sh("command -v nginx || echo absent"), "absent");

  const first = await run(false);
  strictEqual(first.outcome.failed, 0, first.outcome.hosts[0].error);
  deepStrictEqual(first.results, ops.map((op) => `${op}: changed`));
  deepStrictEqual(first.outcome.hosts[0].counts, { ok: 0, changed: 7, failed: 0, skipped: 0 });

  strictEqual(await root.sh("service nginx status >/dev/null && echo running"), "running");
  strictEqual(await root.sh("ls /etc/rc2.d | grep nginx"), "S01nginx");
  strictEqual(await root.sh("cat /srv/site/index.html"), "<h1>hello</h1>");
  strictEqual(await root.sh("id -nG deploy"), "deploy site");
  strictEqual(
    await root.sh("stat -c '%a %U' /home/deploy/.ssh /home/deploy/.ssh/authorized_keys"),
    "700 deploy\n600 deploy",
  );
  strictEqual(await root.sh("cat /home/deploy/.ssh/authorized_keys"), KEY);
  strictEqual(
    await root.sh("cat /etc/nginx/sites-enabled/skiff-site"),
    // Ansible's trim_blocks: the {% for %} lines leave no blank lines behind.
    `# managed by skiff for demo\nserver {\n    listen ${port};\n    root /srv/site;\n    index index.html;\n    server_name demo;\n    server_name localhost;\n}`,
  );

  const again = await run(true);
  strictEqual(again.outcome.failed, 0, again.outcome.hosts[0].error);
  deepStrictEqual(again.results, ops.map((op) => `${op}: no change`));
  const second = await run(false);
  strictEqual(second.outcome.failed, 0, second.outcome.hosts[0].error);
  deepStrictEqual(second.results, ops.map((op) => `${op}: no change`));
  deepStrictEqual(second.outcome.hosts[0].counts, { ok: 7, changed: 0, failed: 0, skipped: 0 });
});
