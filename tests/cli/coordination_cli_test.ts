import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff, spawnSkiff } from "../helpers/cli.ts";
import { sshFleet } from "../helpers/ssh_fleet.ts";
import { tempDir } from "../helpers/temp.ts";

const FIVE = ["h1", "h2", "h3", "h4", "h5"];

/** The JSON events of a `--json` run. */
function eventsOf(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

/** Nanosecond timestamps in `file`, one per line. */
async function stamps(file: string): Promise<bigint[]> {
  return (await Deno.readTextFile(file)).trim().split("\n").map((line) => BigInt(line));
}

Deno.test("skiff deploy over five sshd hosts: barriers, run-once, shared values and handlers", async (t) => {
  await using fleet = await sshFleet(3, FIVE);
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const path = await fleet.write(dir.path);
  const deploy = async (name: string, source: string) => {
    await Deno.writeTextFile(dir.join(`${name}.ts`), source);
    return dir.join(`${name}.ts`);
  };
  const out = (name: string) => JSON.stringify(dir.join(name));

  await t.step("every host's 'before' precedes every 'after'", async () => {
    const file = await deploy(
      "barrier",
      `export default async function ({ host, ops, barrier }) {
  await ops.server.shell(["sleep 0." + host.name.slice(1) + "; date +%s%N >> " + ${out("before")}]);
  await barrier("ready");
  await ops.server.shell(["date +%s%N >> " + ${out("after")}]);
}
`,
    );
    const run = await runSkiff(["deploy", path, file, "-y", "--json"]);
    strictEqual(run.code, 0, run.stdout + run.stderr);
    const before = await stamps(dir.join("before"));
    const after = await stamps(dir.join("after"));
    strictEqual(before.length, 5);
    strictEqual(after.length, 5);
    const latest = before.reduce((a, b) => a > b ? a : b);
    strictEqual(after.every((stamp) => stamp > latest), true);
    const events = eventsOf(run.stdout);
    deepStrictEqual(
      events.filter((e) => e.type === "barrier-wait").map((e) => `${e.arrived}/${e.total}`),
      ["1/5", "2/5", "3/5", "4/5", "5/5"],
    );
    strictEqual(events.filter((e) => e.type === "barrier-pass").length, 1);
  });

  await t.step("a host failing before a barrier releases the others", async () => {
    const file = await deploy(
      "fails",
      `export default async function ({ host, ops, barrier }) {
  if (host.name === "h3") await ops.server.shell(["exit 3"]);
  await barrier("ready");
  await ops.server.shell(["echo " + host.name + " >> " + ${out("passed")}]);
}
`,
    );
    const run = await runSkiff(["deploy", path, file, "-y"]);
    strictEqual(run.code, 1, run.stdout + run.stderr);
    deepStrictEqual(
      (await Deno.readTextFile(dir.join("passed"))).trim().split("\n").sort(),
      ["h1", "h2", "h4", "h5"],
    );
  });

  await t.step("runOnce runs once and every host sees its value", async () => {
    const file = await deploy(
      "once",
      `export default async function ({ host, ops, runOnce, log }) {
  const value = await runOnce("migrate", async () => {
    await ops.server.shell(["echo migrated >> " + ${out("migrations")}]);
    return { by: host.name };
  });
  log("value " + value.by);
  await ops.server.shell(["true"], { _run_once: true });
}
`,
    );
    const run = await runSkiff(["deploy", path, file, "-y", "--json"]);
    strictEqual(run.code, 0, run.stdout + run.stderr);
    strictEqual(await Deno.readTextFile(dir.join("migrations")), "migrated\n");
    const events = eventsOf(run.stdout);
    const values = events.filter((e) => e.type === "log").map((e) => e.message);
    strictEqual(values.length, 5, JSON.stringify(events.filter((e) => e.type === "log")));
    strictEqual(new Set(values).size, 1);
    const ranOnce = events.filter((e) => e.type === "op-result" && e.subject === "true");
    strictEqual(ranOnce.filter((e) => e.changed).length, 1);
    strictEqual(
      ranOnce.filter((e) => String(e.description).startsWith("ran once on ")).length,
      4,
    );
    deepStrictEqual(
      events.filter((e) => e.type === "run-once").map((e) => e.key),
      ["migrate", "server.shell true"],
    );
  });

  await t.step("share and shared, and a timeout", async () => {
    const file = await deploy(
      "share",
      `export default async function ({ host, ops, share, shared, log }) {
  if (host.name === "h1") {
    const token = (await ops.server.shell(["echo tok-$((6*7))"])).stdout.trim();
    share("join", token);
  } else log("joined with " + await shared("join", { timeout: 30 }));
  if (host.name === "h5") await shared("never", { timeout: 0.3 });
  if (host.name === "h1") await ops.server.shell(["sleep 1"]);
}
`,
    );
    const run = await runSkiff(["deploy", path, file, "-y", "--json"]);
    strictEqual(run.code, 1, run.stdout + run.stderr);
    const events = eventsOf(run.stdout);
    deepStrictEqual(
      events.filter((e) => e.type === "log").map((e) => e.message),
      ["joined with tok-42", "joined with tok-42", "joined with tok-42", "joined with tok-42"],
    );
    const done = events.find((e) => e.type === "host-done" && e.host === "h5");
    assertIncludes(String(done?.error), 'No host shared "never" within 0.3 s');
  });

  await t.step("handlers notified three times run once; not on a failed host", async () => {
    const file = await deploy(
      "handlers",
      `export default async function ({ host, ops, handler, notify }) {
  handler("restart", async () => {
    await ops.server.shell(["echo " + host.name + " >> " + ${out("restarts")}]);
  });
  const root = ${out("conf-")} + host.name;
  await ops.files.directory(root, { _notify: "restart" });
  await ops.files.directory(root + "/a", { _notify: "restart" });
  notify("restart");
  if (host.name === "h2") await ops.server.shell(["exit 1"]);
}
`,
    );
    const run = await runSkiff(["deploy", path, file, "-y", "--json"]);
    strictEqual(run.code, 1, run.stdout + run.stderr);
    deepStrictEqual(
      (await Deno.readTextFile(dir.join("restarts"))).trim().split("\n").sort(),
      ["h1", "h3", "h4", "h5"],
    );
    strictEqual(eventsOf(run.stdout).filter((e) => e.type === "handler-run").length, 4);
  });
});

Deno.test("skiff deploy --serial and --strategy over sshd hosts", async (t) => {
  await using fleet = await sshFleet(2, FIVE);
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const path = await fleet.write(dir.path);
  await Deno.writeTextFile(
    dir.join("stamp.ts"),
    `export default async function ({ host, ops }) {
  const file = ${JSON.stringify(dir.path)} + "/" + host.name;
  await ops.server.shell(["date +%s%N > " + file + ".start; sleep 0.1; date +%s%N > " + file + ".end"]);
}
`,
  );

  await t.step("--serial 1: no two hosts overlap", async () => {
    const run = await runSkiff(["deploy", path, dir.join("stamp.ts"), "-y", "--serial", "1"]);
    strictEqual(run.code, 0, run.stdout + run.stderr);
    const spans = await Promise.all(FIVE.map(async (name) => [
      (await stamps(dir.join(`${name}.start`)))[0],
      (await stamps(dir.join(`${name}.end`)))[0],
    ]));
    for (let i = 1; i < spans.length; i++) strictEqual(spans[i][0] > spans[i - 1][1], true);
    // The summary says each host's batch.
    assertIncludes(run.stdout, "batch");
    strictEqual(/^h3\s+ok\s+3\s/m.test(run.stdout), true, run.stdout);
  });

  await t.step("--serial 40% (from the fleet, --serial wins)", async () => {
    await Deno.mkdir(dir.join("serial"));
    const fleetPath = await fleet.write(dir.join("serial"), "  serial: 1");
    const run = await runSkiff([
      "deploy",
      fleetPath,
      dir.join("stamp.ts"),
      "-y",
      "--json",
      "--serial",
      "40%",
    ]);
    strictEqual(run.code, 0, run.stdout + run.stderr);
    deepStrictEqual(
      eventsOf(run.stdout).filter((e) => e.type === "batch-start").map((e) => e.hosts),
      [["h1", "h2"], ["h3", "h4"], ["h5"]],
    );
  });

  await t.step("--fail-percent stops the next batch", async () => {
    await Deno.writeTextFile(
      dir.join("fail.ts"),
      `export default async function ({ host, ops }) {
  await ops.server.shell([host.name === "h1" ? "exit 1" : "true"]);
}
`,
    );
    const run = await runSkiff([
      "deploy",
      path,
      dir.join("fail.ts"),
      "-y",
      "--json",
      "--serial",
      "2",
      "--fail-percent",
      "10",
    ]);
    strictEqual(run.code, 1);
    const events = eventsOf(run.stdout);
    strictEqual(events.filter((e) => e.type === "batch-start").length, 1);
    deepStrictEqual(
      events.filter((e) => e.type === "host-done").map((e) => `${e.host} ${e.ok}`).sort(),
      ["h1 false", "h2 true", "h3 false", "h4 false", "h5 false"],
    );
    strictEqual(
      events.filter((e) =>
        e.type === "host-done" && String(e.error).includes("more than 10% of batch 1 failed")
      ).length,
      3,
    );
  });

  await t.step("--strategy linear: each operation on every host before the next", async () => {
    await Deno.writeTextFile(
      dir.join("steps.ts"),
      `export default async function ({ host, ops }) {
  await ops.server.shell([host.name === "h1" ? "sleep 0.3" : "true"]);
  await ops.server.shell(["true"]);
  await ops.server.shell(["true"]);
}
`,
    );
    const run = await runSkiff([
      "deploy",
      path,
      dir.join("steps.ts"),
      "-y",
      "--json",
      "--strategy",
      "linear",
    ]);
    strictEqual(run.code, 0, run.stdout + run.stderr);
    const starts = eventsOf(run.stdout).filter((e) => e.type === "op-start").map((e) => e.host);
    for (let step = 0; step < 3; step++) {
      deepStrictEqual(starts.slice(step * 5, step * 5 + 5).sort(), FIVE);
    }
  });
});

Deno.test("Ctrl-C while hosts wait at a barrier exits 130 with nothing left running", async () => {
  await using fleet = await sshFleet(1, ["h1", "h2", "h3"]);
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const path = await fleet.write(dir.path);
  const marker = `skiff-barrier-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(
    dir.join("wait.ts"),
    `export default async function ({ host, ops, barrier }) {
  if (host.name === "h3") await ops.server.shell(["sleep 30 # ${marker}"]);
  await barrier("ready");
}
`,
  );
  const child = spawnSkiff(["deploy", path, dir.join("wait.ts"), "-y", "--json"]);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const ready = () =>
    (seen.match(/"barrier-wait"/g) ?? []).length === 2 && seen.includes('"op-start","host":"h3"');
  while (!ready()) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // h3's sleep is running
  child.kill("SIGINT");
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
  }
  const status = await child.status;
  await child.stderr.cancel();
  strictEqual(status.code, 130);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const ps = new TextDecoder().decode(
    (await new Deno.Command("ps", { args: ["-eo", "args"] }).output()).stdout,
  );
  strictEqual(ps.split("\n").filter((line) => line.includes(marker)).length, 0, ps);
});
