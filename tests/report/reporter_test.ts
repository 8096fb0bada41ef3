import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { textReporter } from "../../lib/report/reporter.ts";
import { hostTable } from "../../lib/report/summary.ts";
import type { Painter } from "../../lib/report/paint.ts";

const PLAIN: Painter = {
  prefix: (host) => `[${host}] `,
  error: (text) => text,
  changed: (text) => text,
  ok: (text) => text,
  dim: (text) => text,
  bold: (text) => text,
};

Deno.test("textReporter() shows barrier waits in the live status of every waiting host", () => {
  let screen = "";
  const report = textReporter({
    verbosity: 0,
    showDiff: false,
    live: true,
    write: (text) => screen += text,
    paint: PLAIN,
    now: () => 0,
  });
  report({ type: "run-start", hosts: ["a", "b", "c"], deploys: ["d"], dryRun: false });
  report({ type: "barrier-wait", host: "a", barrier: "db-ready", batch: 0, arrived: 1, total: 3 });
  screen = "";
  report({ type: "barrier-wait", host: "b", barrier: "db-ready", batch: 0, arrived: 2, total: 3 });
  // The last block drawn: the progress line, then a and b at 2/3 (c has not started).
  deepStrictEqual(screen.split("\x1b[J").at(-1)!.trimEnd().split("\n"), [
    "hosts 0/3 done · 2 running · 0 failed · ops 0 · 00:00",
    "[a] waiting at barrier db-ready: 2/3",
    "[b] waiting at barrier db-ready: 2/3",
  ]);
  screen = "";
  report({ type: "barrier-pass", barrier: "db-ready", batch: 0, hosts: 3, seconds: 0.5 });
  deepStrictEqual(screen.split("\x1b[J").at(-1)!.trimEnd().split("\n"), [
    "hosts 0/3 done · 2 running · 0 failed · ops 0 · 00:00",
    "[a] changed 0, unchanged 0, failed 0",
    "[b] changed 0, unchanged 0, failed 0",
  ]);
});

Deno.test("hostTable() adds a batch column (from 1) when the run had batches", () => {
  const counts = { ok: 1, changed: 0, failed: 0, skipped: 0 };
  strictEqual(
    hostTable([
      { host: "web1", ok: true, counts, seconds: 1, batch: 0 },
      { host: "web2", ok: false, counts, seconds: 2, batch: 1 },
    ]),
    "host  result  batch  changed  unchanged  failed  skipped  seconds\n" +
      "web1  ok          1        0          1       0        0     1.00\n" +
      "web2  failed      2        0          1       0        0     2.00\n",
  );
});

Deno.test("textReporter() names the host a _run_once operation ran on (with -v)", () => {
  let out = "";
  const report = textReporter({
    verbosity: 1,
    showDiff: false,
    live: false,
    write: (text) => out += text,
    paint: PLAIN,
  });
  report({
    type: "op-result",
    host: "web2",
    op: "server.shell",
    subject: "migrate",
    changed: false,
    success: true,
    description: "ran once on web1",
    ranOn: "web1",
    seconds: 0,
  });
  strictEqual(out, "[web2] server.shell migrate: ran once on web1\n");
});
