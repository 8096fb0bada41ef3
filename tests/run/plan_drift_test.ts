import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { driftOf, missingOf, type OperationNow } from "../../lib/run/plan/drift.ts";
import { HostPlan } from "../../lib/run/plan/host_plan.ts";
import type { PlannedOperation } from "../../lib/run/plan/plan_document.ts";
import { parsePlan } from "../../lib/run/plan/plan_document.ts";
import { maskDeep, writePlanFile } from "../../lib/run/plan/plan_file.ts";
import { PlanRecorder } from "../../lib/run/plan/plan_recorder.ts";
import { SecretValue } from "../../lib/core/command.ts";
import { tempDir } from "../helpers/temp.ts";

const PUT: PlannedOperation = {
  index: 0,
  deploy: "app",
  op: "files.put",
  subject: "/etc/app.conf",
  outcome: "change",
  description: "created /etc/app.conf",
  commands: ["p=/etc/app.conf …"],
  diff: "--- /dev/null\n+++ /etc/app.conf\n+a",
};
const NOW: OperationNow = {
  op: "files.put",
  subject: "/etc/app.conf",
  outcome: "change",
  description: "created /etc/app.conf",
  diff: "--- /dev/null\n+++ /etc/app.conf\n+a",
};

Deno.test("driftOf() says how an operation now differs from the plan, or nothing", () => {
  const cases: [string, PlannedOperation | undefined, OperationNow, string | undefined][] = [
    ["as planned", PUT, NOW, undefined],
    [
      "planned no change, now a change",
      { ...PUT, outcome: "no change", description: "/etc/app.conf is up to date" },
      NOW,
      "drift on web1: files.put /etc/app.conf was planned as no change, now would change",
    ],
    [
      "planned a change, already done",
      PUT,
      { ...NOW, outcome: "no change", description: "/etc/app.conf is up to date", diff: undefined },
      undefined,
    ],
    [
      "another change than planned",
      PUT,
      { ...NOW, description: "updated /etc/app.conf" },
      "drift on web1: files.put /etc/app.conf was planned as would change (created /etc/app.conf), now would change (updated /etc/app.conf)",
    ],
    [
      "the same change with another diff",
      PUT,
      { ...NOW, diff: "--- /dev/null\n+++ /etc/app.conf\n+b" },
      "drift on web1: files.put /etc/app.conf would change as planned (created /etc/app.conf), but not with the planned diff",
    ],
    [
      "no change either way, other words",
      { ...PUT, outcome: "no change", description: "is as wanted", diff: undefined },
      { ...NOW, outcome: "no change", description: "is up to date", diff: undefined },
      undefined,
    ],
    [
      "planned skipped, now runs",
      { ...PUT, outcome: "skipped", description: "skipped: _if is false" },
      NOW,
      "drift on web1: files.put /etc/app.conf was planned as skipped, now would change",
    ],
    [
      "planned a change, now failed (_ignore_errors)",
      PUT,
      { ...NOW, outcome: "failed" },
      "drift on web1: files.put /etc/app.conf was planned as would change, now failed",
    ],
    [
      "another operation in its place",
      PUT,
      { ...NOW, op: "files.line", subject: "/etc/hosts" },
      "drift on web1: files.put /etc/app.conf was planned next, now files.line /etc/hosts is called in its place",
    ],
    [
      "not in the plan",
      undefined,
      NOW,
      "drift on web1: files.put /etc/app.conf was not in the plan",
    ],
    [
      "run once: whichever host ran it",
      { ...PUT, outcome: "ran once", description: "ran once on web2" },
      NOW,
      undefined,
    ],
    [
      "planned as depending on an earlier change: any outcome",
      { ...PUT, description: "would change (depends on an earlier change)", diff: undefined },
      { ...NOW, description: "updated /etc/app.conf" },
      undefined,
    ],
    [
      "planned as depending on an earlier change, now failed",
      { ...PUT, description: "would change (depends on an earlier change)" },
      { ...NOW, outcome: "failed" },
      "drift on web1: files.put /etc/app.conf was planned as would change, now failed",
    ],
  ];
  for (const [name, planned, now, expected] of cases) {
    strictEqual(driftOf(planned, now, "web1"), expected, name);
  }
});

Deno.test("missingOf() names the first planned operation never called", () => {
  const planned = [PUT, { ...PUT, index: 1, op: "server.shell", subject: "true" }];
  strictEqual(
    missingOf(planned, 1, "db1"),
    "drift on db1: server.shell true was planned as would change (created /etc/app.conf), now not called",
  );
  strictEqual(missingOf(planned, 2, "db1"), undefined);
});

Deno.test("HostPlan numbers operations, records them, and keeps the first drift", async (t) => {
  await t.step("making a plan: records in call order", () => {
    const recorder = new PlanRecorder();
    const plan = new HostPlan("web1", { recorder });
    deepStrictEqual([plan.next(), plan.next(), plan.applying], [0, 1, false]);
    plan.record({ ...PUT, index: 1 });
    plan.record({ ...PUT, index: 0, subject: "/a" });
    deepStrictEqual(
      recorder.operations(["web1", "web2"]),
      new Map([["web1", [{ ...PUT, index: 0, subject: "/a" }, { ...PUT, index: 1 }]], [
        "web2",
        [],
      ]]),
    );
    strictEqual(plan.check(0, { ...NOW, outcome: "no change" }), undefined);
    strictEqual(plan.finish(), undefined);
  });
  await t.step("applying: the first drift stays; planned operations not called are drift", () => {
    const plan = new HostPlan("web1", { planned: [PUT, { ...PUT, index: 1 }] });
    strictEqual(plan.applying, true);
    strictEqual(plan.check(plan.next(), NOW), undefined);
    strictEqual(plan.drift, undefined);
    strictEqual(
      plan.finish(),
      "drift on web1: files.put /etc/app.conf was planned as would change (created /etc/app.conf), now not called",
    );
    const other = new HostPlan("web2", { planned: [PUT] });
    const first = other.check(other.next(), { ...NOW, subject: "/b" });
    other.check(other.next(), NOW);
    strictEqual(other.drift, first);
    strictEqual(other.finish(), first);
  });
});

Deno.test("the recorder keeps events but not command output", () => {
  const recorder = new PlanRecorder();
  recorder.event({ type: "output", host: "h", stream: "stdout", line: "x" });
  recorder.event({ type: "log", host: "h", message: "m" });
  deepStrictEqual(recorder.events, [{ type: "log", host: "h", message: "m" }]);
});

Deno.test("parsePlan() refuses what skiff did not write, naming the file and key", async (t) => {
  const valid = {
    format: "skiff-plan",
    version: 1,
    skiff: "0.1.0",
    created: "2026-01-01T00:00:00.000Z",
    cwd: "/srv",
    argv: ["deploy", "web1", "web.ts", "--plan", "p.json"],
    display: { diff: false, verbosity: 0 },
    files: [],
    hosts: [{ name: "web1", data: "0".repeat(64), operations: [PUT] }],
    events: [],
  };
  await t.step("a valid plan", () => {
    deepStrictEqual(parsePlan(JSON.stringify(valid), "p.json").hosts[0].operations, [PUT]);
  });
  const cases: [string, unknown, string][] = [
    ["a list", [], "Plan p.json is not a skiff plan: expected a JSON object"],
    [
      "an unknown outcome",
      { ...valid, hosts: [{ ...valid.hosts[0], operations: [{ ...PUT, outcome: "maybe" }] }] },
      'Plan p.json: hosts.0.operations.0.outcome: Invalid option: expected one of "change"|"no change"|"skipped"|"ran once"|"failed"',
    ],
    [
      "operations out of order",
      { ...valid, hosts: [{ ...valid.hosts[0], operations: [{ ...PUT, index: 3 }] }] },
      "Plan p.json: hosts.web1.operations.0: index is 3, expected 0",
    ],
    [
      "another command line",
      { ...valid, argv: ["exec", "web1", "--", "reboot"] },
      'Plan p.json: argv: expected a deploy command line, got "exec"',
    ],
    [
      "a relative directory",
      { ...valid, cwd: "srv" },
      'Plan p.json: cwd: Invalid string: must start with "/"',
    ],
  ];
  for (const [name, value, message] of cases) {
    await t.step(name, () => {
      throws(() => parsePlan(JSON.stringify(value), "p.json"), { name: "InputError", message });
    });
  }
});

Deno.test("writePlanFile() writes mode 0600 through a renamed temporary file, secrets masked", async () => {
  await using dir = await tempDir();
  const path = dir.join("p.json");
  await Deno.writeTextFile(path, "old", { mode: 0o644 });
  const plan = parsePlan(
    JSON.stringify({
      format: "skiff-plan",
      version: 1,
      skiff: "0.1.0",
      created: "2026-01-01T00:00:00.000Z",
      cwd: "/srv",
      argv: ["deploy", "web1", "web.ts"],
      display: { diff: true, verbosity: 0 },
      files: [],
      hosts: [{
        name: "web1",
        data: "0".repeat(64),
        operations: [{ ...PUT, diff: "+password=s3cr3t-value" }],
      }],
      events: [{ type: "log", host: "web1", message: "token s3cr3t-value" }],
    }),
    "p.json",
  );
  await writePlanFile(path, plan, ["s3cr3t-value", "ab"]);
  const text = await Deno.readTextFile(path);
  strictEqual(text.includes("s3cr3t-value"), false);
  strictEqual(JSON.parse(text).hosts[0].operations[0].diff, "+password=***");
  strictEqual(JSON.parse(text).events[0].message, "token ***");
  strictEqual((await Deno.stat(path)).mode! & 0o777, 0o600);
  deepStrictEqual([...Deno.readDirSync(dir.path)].map((entry) => entry.name), ["p.json"]);
  deepStrictEqual(maskDeep({ a: new SecretValue("x"), b: "ab" }, ["ab"]), { a: "***", b: "ab" });
});
