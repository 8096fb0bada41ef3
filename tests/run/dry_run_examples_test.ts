/**
 * Every example deploy in fleets/deploys/ through the real CLI: `--dry` on
 * a fresh target, then the real run, and the two op-by-op outcome lists are
 * identical (changed ↔ would change, no change ↔ no change), per host; then
 * the same on the converged target. demo.ts runs on @local, the
 * pyinfra-pattern deploys on two Debian trees (`connector: chroot`),
 * rolling_release.ts on three real sshd hosts. system_demo.ts (nginx from
 * Debian's mirror) has its own test: tests/run/system_demo_test.ts.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { RunEvent } from "../../lib/run/events.ts";
import { runSkiff } from "../helpers/cli.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { sshFleet } from "../helpers/ssh_fleet.ts";
import { tempDir } from "../helpers/temp.ts";

const deployPath = (name: string) =>
  new URL(`../../fleets/deploys/${name}`, import.meta.url).pathname;

/** One host's op-by-op outcomes (`_run_once` calls are counted per fleet, in `once`). */
interface Outcomes {
  hosts: Record<string, string[]>;
  once: string[];
  descriptions: Record<string, string[]>;
  /** `host op subject` of the results marked dependsOnEarlierChange in --json. */
  depends: string[];
}

/** Runs `skiff deploy ARGS… --json` (dry or not) and collects the outcomes. */
async function deploy(args: string[], dry: boolean): Promise<Outcomes> {
  const run = await runSkiff(["deploy", ...args, "--json", ...(dry ? ["--dry"] : ["-y"])]);
  strictEqual(run.code, 0, run.stdout + run.stderr);
  const results = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as RunEvent)
    .flatMap((event) => event.type === "op-result" ? [event] : []);
  // Which host runs a `_run_once` call is a race: such calls are compared as the fleet's.
  const onceSites = new Set(results.filter((e) => e.ranOn !== undefined).map((e) => e.site));
  const out: Outcomes = { hosts: {}, once: [], descriptions: {}, depends: [] };
  for (const event of results) {
    const outcome = !event.success
      ? "failed"
      : event.skipped
      ? "skipped"
      : event.ranOn !== undefined
      ? "ran once elsewhere"
      : event.changed
      ? "changed"
      : "no change";
    const what = `${event.op} ${event.subject}`;
    const once = onceSites.has(event.site);
    if (once) out.once.push(`${event.site} ${event.op}: ${outcome}`);
    (out.hosts[event.host] ??= []).push(`${what}: ${once ? "once" : outcome}`);
    (out.descriptions[event.host] ??= []).push(event.description);
    if (event.dependsOnEarlierChange) out.depends.push(`${event.host} ${what}`);
  }
  out.once.sort();
  return out;
}

/** Dry run, real run, dry run, real run: each dry run's outcomes equal the real run's after it. */
async function predicts(
  args: string[],
): Promise<{ first: Outcomes; second: Outcomes; dry: Outcomes[] }> {
  const dryFirst = await deploy(args, true);
  const first = await deploy(args, false);
  deepStrictEqual(dryFirst.hosts, first.hosts);
  deepStrictEqual(dryFirst.once, first.once);
  const drySecond = await deploy(args, true);
  const second = await deploy(args, false);
  return { first, second, dry: [dryFirst, drySecond] };
}

const changedAll = (list: string[]) => list.every((line) => line.endsWith(": changed"));
const unchangedAll = (list: string[]) => list.every((line) => line.endsWith(": no change"));

Deno.test("demo.ts: --dry on a fresh @local directory predicts the run, and the second run's no change", async () => {
  await using dir = await tempDir();
  const root = dir.join("demo");
  const run = await predicts(["@local", deployPath("demo.ts"), "--data", `demo_root=${root}`]);
  deepStrictEqual(run.first.hosts["@local"], [
    `files.directory ${root}: changed`,
    `files.directory ${root}/conf.d: changed`,
    `files.put ${root}/app.conf: changed`,
    `files.line ${root}/conf.d/tuning.conf: changed`,
    `files.block ${root}/motd: changed`,
    `files.link ${root}/current: changed`,
  ]);
  deepStrictEqual(run.dry[0].descriptions, run.first.descriptions);
  deepStrictEqual(run.dry[1].hosts, run.second.hosts);
  strictEqual(unchangedAll(run.second.hosts["@local"]), true);
});

Deno.test("defined_operation.ts: --dry predicts the deploy's own operation, then its no change", async () => {
  await using dir = await tempDir();
  const root = dir.join("app");
  const run = await predicts([
    "@local",
    deployPath("defined_operation.ts"),
    "--data",
    `demo_root=${root}`,
  ]);
  deepStrictEqual(run.first.hosts["@local"], [`app.release ${root}: changed`]);
  deepStrictEqual(run.dry[0].descriptions, run.first.descriptions);
  deepStrictEqual(run.dry[1].hosts, run.second.hosts);
  deepStrictEqual(run.second.hosts["@local"], [`app.release ${root}: no change`]);
});

Deno.test("python_web_app, foundationdb_cluster and ssh_demo: --dry on two fresh Debian trees predicts each run", async () => {
  await using one = await debianRoot();
  await using two = await debianRoot();
  await using dir = await tempDir();
  const host = (root: string, address: string, name: string) =>
    `{connector: chroot, chroot_directory: ${root}, fdb_address: ${address}, fdb_hostname: ${name}}`;
  await Deno.writeTextFile(
    dir.join("fleet.yml"),
    `fleet:
  hosts:
    fdb1: ${host(one.path, "10.0.0.1", "fdb1.example.com")}
    fdb2: ${host(two.path, "10.0.0.2", "fdb2.example.com")}
  groups:
    fdb: {hosts: [fdb1, fdb2]}
  data:
    app_name: webapp
    app_port: 8000
    server_names: [example.com, www.example.com]
    admin_user: admin
    admin_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGskiffdemokey admin@example"]
fdb:
  cluster_id: abc123
`,
  );
  const deploys = ["python_web_app.ts", "foundationdb_cluster.ts", "ssh_demo.ts"].map(deployPath);
  const run = await predicts([dir.join("fleet.yml"), ...deploys]);
  for (const name of ["fdb1", "fdb2"]) {
    // After python_web_app's restart command (opaque) the rest of the first
    // dry run depends on it: still "would change", as the run then changes.
    const firstShell = run.dry[0].descriptions[name].indexOf("depends on an earlier change");
    strictEqual(run.dry[0].hosts[name][firstShell - 1], "server.shell Restart webapp: changed");
    deepStrictEqual(
      run.dry[0].descriptions[name].slice(0, firstShell - 1),
      run.first.descriptions[name].slice(0, firstShell - 1),
    );
    strictEqual(
      run.dry[0].descriptions[name].slice(firstShell).every((d) =>
        d === "depends on an earlier change"
      ),
      true,
    );
    deepStrictEqual(run.dry[1].hosts[name], run.second.hosts[name]);
    strictEqual(run.first.hosts[name].length, 21);
    strictEqual(
      run.first.hosts[name].filter((line) => line.endsWith(": no change")).join("\n"),
      // useradd already made the app's home as the directory operation wants it.
      "files.directory /srv/webapp: no change",
    );
    strictEqual(
      run.second.hosts[name].filter((line) => !line.endsWith(": no change")).join("\n"),
      "server.shell Restart webapp: skipped",
    );
  }
});

Deno.test("rolling_release.ts on three sshd hosts: --dry predicts the barriers, the one migration and the switch", async () => {
  const names = ["web1", "web2", "web3"];
  await using fleet = await sshFleet(3, names);
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const path = await fleet.write(dir.path, "", (name) => ({ app_root: dir.join(name) }));
  const run = await predicts([path, deployPath("rolling_release.ts")]);
  for (const name of names) {
    strictEqual(changedAll(run.first.hosts[name].filter((l) => !l.endsWith(": once"))), true);
  }
  deepStrictEqual(run.first.once, [
    "rolling_release.ts:30 server.shell: changed",
    "rolling_release.ts:30 server.shell: ran once elsewhere",
    "rolling_release.ts:30 server.shell: ran once elsewhere",
  ]);
  // On the converged hosts the migration runs again on one host (always a
  // change), and after that opaque command its link depends on it: the one
  // outcome the second dry run overstates; the other hosts' are exact.
  const overstated = names.filter((name) =>
    JSON.stringify(run.dry[1].hosts[name]) !== JSON.stringify(run.second.hosts[name])
  );
  strictEqual(overstated.length, 1);
  const [host] = overstated;
  const link = (outcomes: Outcomes) =>
    outcomes.descriptions[host][
      outcomes.hosts[host].findIndex((line) => line.startsWith("files.link "))
    ];
  strictEqual(link(run.dry[1]), "depends on an earlier change");
  strictEqual(run.dry[1].depends.includes(`${host} files.link ${dir.join(host)}/current`), true);
  strictEqual(link(run.second), `${dir.join(host)}/current is as wanted`);
});
