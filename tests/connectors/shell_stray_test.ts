/**
 * The persistent shell against processes a command leaves behind: their
 * output never reaches a later command, pipes they hold are cut after
 * `holdLimit` in the same shell, and commands already sent behind a held
 * one run exactly once. With sh and busybox sh.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { PersistentShell } from "../../connectors/_persistent_shell.ts";
import { shellChild } from "../helpers/shell_child.ts";
import { tempDir } from "../helpers/temp.ts";

const SHELLS = [["sh"], ["busybox", "sh"]];

/** A shell as `@local` starts one: its held pipes are cut by a script run beside it. */
function startShell(argv: string[], holdLimit?: number) {
  const child = shellChild(argv);
  const breakHold = (script: string) => new Deno.Command("sh", { args: ["-c", script] }).output();
  return { child, shell: new PersistentShell(child, { breakHold, holdLimit }) };
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("PersistentShell never hands a later command what a process an earlier one left prints: the earlier one gets it as stray", async (t) => {
  for (const argv of SHELLS) {
    await t.step(argv.join(" "), async () => {
      const { child, shell } = startShell(argv);
      const [first, ...later] = await Promise.all([
        shell.run("echo first; (sleep 0.3; echo INJECTED; sleep 1; echo INJECTED >&2) &"),
        ...[1, 2, 3, 4].map((n) => shell.run(`sleep 0.1; echo later${n}`)),
      ]);
      deepStrictEqual(
        [first.exitCode, first.output.lines, first.stray, first.heldOpen],
        [0, [{ stream: "stdout", line: "first" }], {
          count: 1,
          first: [{ stream: "stdout", line: "INJECTED" }],
        }, false],
      );
      deepStrictEqual(
        later.map((r) => [r.output.stdout, r.output.stderr, r.stray.count]),
        [1, 2, 3, 4].map((n) => [`later${n}`, "", 0]),
      );
      // Its pipes were cut at the first stray line: the second one never comes.
      await sleep(1200);
      deepStrictEqual((await shell.run("echo last")).output.lines, [{
        stream: "stdout",
        line: "last",
      }]);
      await shell.close();
      await child.status;
    });
  }
});

Deno.test("PersistentShell cuts a command's pipes held past holdLimit, in the same shell, and leaves what holds them running", async (t) => {
  for (const argv of SHELLS) {
    await t.step(argv.join(" "), async () => {
      await using dir = await tempDir();
      const { child, shell } = startShell(argv, 300);
      const before = (await shell.run("echo $$")).output.stdout;
      const started = Date.now();
      // One process only holds the pipes; another prints into them 1.5 s later.
      const held = await shell.run(
        `echo held; sh -c 'echo $$ >${dir.join("pid")}; exec sleep 30' & ` +
          "(sleep 1.5; echo LATE; echo LATE >&2) &",
      );
      const waited = Date.now() - started;
      deepStrictEqual([held.exitCode, held.output.stdout, held.stray.count, held.heldOpen], [
        0,
        "held",
        0,
        true,
      ]);
      strictEqual(waited >= 300 && waited < 3000, true, `waited ${waited} ms`);
      const holder = Number(await Deno.readTextFile(dir.join("pid")));
      strictEqual(alive(holder), true, "the process holding the pipes is not killed");
      Deno.kill(holder, "SIGKILL");
      strictEqual((await shell.run("echo $$")).output.stdout, before, "the same shell");
      // Past the moment the left process prints: nothing of it arrives anywhere.
      for (let i = 0; i < 8; i++) {
        const later = await shell.run("sleep 0.2; echo later");
        deepStrictEqual([later.output.lines, later.stray.count, later.heldOpen], [
          [{ stream: "stdout", line: "later" }],
          0,
          false,
        ]);
      }
      await shell.close();
      await child.status;
    });
  }
});

Deno.test("PersistentShell runs the commands sent behind a held one exactly once, whenever the holder lets go", async (t) => {
  for (const argv of SHELLS) {
    await t.step(argv.join(" "), async () => {
      await using dir = await tempDir();
      const count = dir.join("count");
      const { child, shell } = startShell(argv, 300);
      await shell.run("true");
      const expected: string[] = [];
      // The holder lets go before, at about, and after the moment its pipes are cut.
      for (const hold of [0.1, 0.28, 0.3, 0.32, 0.35, 3]) {
        const results = await Promise.all([
          shell.run(`echo held; sleep ${hold} &`),
          shell.run(`echo a${hold} >>${count}; echo one`),
          shell.run(`echo b${hold} >>${count}; echo two >&2; exit 4`),
        ]);
        expected.push(`a${hold}`, `b${hold}`);
        deepStrictEqual(
          results.slice(1).map((r) => [r.exitCode, r.output.stdout, r.output.stderr, r.heldOpen]),
          [[0, "one", "", false], [4, "", "two", false]],
        );
        deepStrictEqual([results[0].exitCode, results[0].output.stdout], [0, "held"]);
        if (hold < 0.25) strictEqual(results[0].heldOpen, false);
        if (hold > 1) strictEqual(results[0].heldOpen, true);
      }
      await sleep(1200);
      strictEqual(await Deno.readTextFile(count), expected.map((line) => `${line}\n`).join(""));
      strictEqual(shell.flights, 7, "each batch went in one flight");
      await shell.close();
      await child.status;
    });
  }
});

Deno.test("PersistentShell stops a gated batch at a command whose pipes were held or printed after it ended", async (t) => {
  for (const argv of SHELLS) {
    await t.step(argv.join(" "), async () => {
      await using dir = await tempDir();
      const { child, shell } = startShell(argv, 600);
      await shell.run("true");
      for (
        const [name, leaves] of [
          ["skiff_gate_1", "sleep 5 &"],
          ["skiff_gate_2", "(sleep 0.4; echo LATE; sleep 5) &"],
        ]
      ) {
        const gate = { name, codes: [0] };
        const results = await Promise.all([
          shell.run("echo one", { gate }),
          shell.run(`echo two; ${leaves}`, { gate }),
          shell.run(`touch ${dir.join(name)}`, { gate }),
        ]);
        deepStrictEqual(
          results.map((r) => [r.exitCode, r.output.stdout, r.skipped ?? false]),
          [[0, "one", false], [0, "two", false], [-1, "", true]],
        );
        deepStrictEqual(
          [results[1].heldOpen, results[1].stray.count],
          name === "skiff_gate_1" ? [true, 0] : [false, 1],
        );
        strictEqual(await Deno.stat(dir.join(name)).then(() => true, () => false), false);
      }
      await shell.close();
      await child.status;
    });
  }
});

Deno.test("PersistentShell gives the shell up when a held command's pipes cannot be cut, failing what was sent behind it", async () => {
  const child = shellChild(["sh"]);
  // No way to cut (as on a target without /proc): lost holdLimit after trying.
  const shell = new PersistentShell(child, { holdLimit: 200 });
  await shell.run("true");
  const started = Date.now();
  const [held, behind] = await Promise.allSettled([
    shell.run("sleep 3 &"),
    shell.run("echo behind"),
  ]);
  const waited = Date.now() - started;
  deepStrictEqual([held.status, behind.status], ["rejected", "rejected"]);
  strictEqual(
    String((held as PromiseRejectedResult).reason),
    "ShellLostError: connection lost: the persistent shell ended",
  );
  strictEqual(waited >= 400 && waited < 2000, true, `waited ${waited} ms`);
  strictEqual(shell.dead, true);
  Deno.kill(-child.pid, "SIGKILL");
  await child.status;
});
