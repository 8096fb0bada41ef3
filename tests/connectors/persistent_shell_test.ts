import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { PersistentShell } from "../../connectors/_persistent_shell.ts";
import { framedScript } from "../../connectors/_shell_frame.ts";
import { shellChild } from "../helpers/shell_child.ts";
import { tempDir } from "../helpers/temp.ts";

function startShell(argv: string[], onInterrupt?: (pid: number | undefined) => void) {
  const child = shellChild(argv);
  return { child, shell: new PersistentShell(child, { onInterrupt }) };
}

Deno.test("framedScript() gives the command pipes of its own and assigns secrets inside its subshell", () => {
  strictEqual(
    framedScript("echo 'a b'", { SKIFF_SECRET_0: "p w" }, "M"),
    `{ { { ( SKIFF_SECRET_0='p w'; export SKIFF_SECRET_0; eval 'echo '"'"'a b'"'"'' ) </dev/null 3>&-; ` +
      `printf '\\n%s:%s\\n' M "$?"; printf '\\n%s\\n' M >&2; } 2>&1 >&3 3>&- | ` +
      `{ while IFS= read -r l; do printf '%s|%s\\n' M "$l"; done; [ -z "$l" ] || printf '%s|%s\\n' M "$l"; }; } ` +
      `3>&1 | skiff_f=M cat; } 2>/dev/null; printf '\\n%s.%s\\n' M "$?"\n`,
  );
});

Deno.test("PersistentShell runs commands in sequence with exact output and exit codes", async (t) => {
  for (const argv of [["sh"], ["busybox", "sh"]]) {
    await t.step(argv.join(" "), async () => {
      const { child, shell } = startShell(argv);
      await exercise(shell);
      await child.status;
    });
  }
});

async function exercise(shell: PersistentShell) {
  const a = await shell.run("echo out; echo err >&2; exit 3");
  deepStrictEqual([a.exitCode, a.output.stdoutLines, a.output.stderrLines], [3, ["out"], ["err"]]);
  const b = await shell.run("printf 'no newline'; printf 'none either' >&2");
  deepStrictEqual([b.output.stdoutLines, b.output.stderrLines], [["no newline"], ["none either"]]);
  const c = await shell.run("printf 'a\\n\\nb\\n\\n'; printf '\\n\\nc\\n' >&2");
  deepStrictEqual([c.output.stdoutLines, c.output.stderrLines], [["a", "", "b", ""], [
    "",
    "",
    "c",
  ]]);
  // A stderr line that arrives in the middle of a stdout line leaves that line whole.
  const split = await shell.run("printf 'x'; echo e >&2; sleep 0.05; echo y");
  deepStrictEqual([split.output.stdoutLines, split.output.stderrLines], [["xy"], ["e"]]);
  const d = await shell.run("cd /tmp; X=1; exit 0");
  strictEqual(d.exitCode, 0);
  const e = await shell.run('pwd; echo "${X:-unset}"');
  deepStrictEqual(e.output.stdoutLines, [Deno.cwd(), "unset"]);
  const f = await shell.run("echo 'unbalanced");
  strictEqual(f.exitCode, 2);
  const g = await shell.run('printf %s "$SKIFF_SECRET_0"', {
    secretEnv: { SKIFF_SECRET_0: "it's $x" },
  });
  deepStrictEqual(g.output.stdoutLines, ["it's $x"]);
  const h = await shell.run("cat; echo after");
  deepStrictEqual(h.output.stdoutLines, ["after"]);
  const big = await shell.run("i=0; while [ $i -lt 3000 ]; do echo line$i; i=$((i+1)); done");
  deepStrictEqual([big.output.stdoutLines.length, big.output.stdoutLines.at(-1)], [
    3000,
    "line2999",
  ]);
  const nul = await shell.run("printf 'a\\000b\\n'");
  strictEqual(nul.output.stdout, "a\0b");
  // A stdout line and the stderr lines printed after it keep that order: one pipe carries both.
  for (let i = 0; i < 30; i++) {
    const r = await shell.run("echo 1; echo 2 >&2; echo 3 >&2");
    deepStrictEqual(r.output.lines.map((l) => `${l.stream}:${l.line}`), [
      "stdout:1",
      "stderr:2",
      "stderr:3",
    ]);
  }
  const seen: string[] = [];
  const results = await Promise.all(
    [1, 2, 3].map((n) => shell.run(`echo ${n}`, { onOutput: (l) => seen.push(l.line) })),
  );
  deepStrictEqual(results.map((r) => r.output.stdout), ["1", "2", "3"]);
  deepStrictEqual(seen, ["1", "2", "3"]);
  for (const r of [a, b, c, split, d, e, f, g, h, big, nul, ...results]) {
    deepStrictEqual([r.stray.count, r.heldOpen], [0, false]);
  }
  await shell.close();
  strictEqual(shell.dead, true);
}

Deno.test("PersistentShell fails a running command fast when the shell dies", async () => {
  const { child, shell } = startShell(["sh"]);
  const running = shell.run("sleep 30");
  await new Promise((r) => setTimeout(r, 100));
  Deno.kill(-child.pid, "SIGKILL");
  await rejects(running, {
    name: "ShellLostError",
    message: "connection lost: the persistent shell ended",
  });
  await rejects(shell.run("true"), {
    name: "ShellLostError",
    message: "connection lost: the persistent shell ended",
  });
  await child.status;
});

Deno.test("PersistentShell rejects an aborted command at once and hands its owner the shell's pid", async () => {
  const interrupts: (number | undefined)[] = [];
  const { child, shell } = startShell(["sh"], (pid) => interrupts.push(pid));
  const controller = new AbortController();
  strictEqual(
    (await shell.run("echo ready", { signal: controller.signal })).output.stdout,
    "ready",
  );
  const running = shell.run("echo partial; sleep 30", {
    signal: controller.signal,
    onOutput: () => controller.abort(),
  });
  await rejects(running, (error: Error & { output?: { stdout: string } }) => {
    deepStrictEqual([error.name, error.message, error.output?.stdout], [
      "ShellInterruptedError",
      "interrupted",
      "partial",
    ]);
    return true;
  });
  deepStrictEqual(interrupts, [child.pid]);
  deepStrictEqual([shell.dead, shell.interrupted], [true, true]);
  await rejects(shell.run("true"), { name: "ShellInterruptedError", message: "interrupted" });
  await rejects(shell.run("true", { signal: AbortSignal.abort() }), {
    name: "ShellInterruptedError",
  });
  Deno.kill(-child.pid, "SIGKILL");
  await child.status;
});

Deno.test("PersistentShell.removeOnExit() removes listed files when the shell's input ends, never those released", async (t) => {
  for (const argv of [["sh"], ["busybox", "sh"]]) {
    await t.step(argv.join(" "), async () => {
      const dir = await Deno.makeTempDir({ prefix: "skiff-test-" });
      try {
        const names = ["kept", "it's $gone", "released"];
        for (const file of names) await Deno.writeTextFile(`${dir}/${file}`, "x");
        const { child, shell } = startShell(argv);
        shell.removeOnExit(`${dir}/it's $gone`);
        const release = shell.removeOnExit(`${dir}/released`);
        strictEqual((await shell.run("exit 3")).exitCode, 3);
        strictEqual((await shell.run("sh -c 'exit 0'")).exitCode, 0);
        deepStrictEqual(
          [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
          [...names].sort(),
          "a command's own exit removes nothing",
        );
        release();
        // Its stdin closes as when the connection under it drops.
        await shell.close();
        strictEqual((await child.status).code, 0);
        deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
          "kept",
          "released",
        ]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("PersistentShell sends commands asked together in one flight, each with its own output", async (t) => {
  for (const argv of [["sh"], ["busybox", "sh"]]) {
    await t.step(argv.join(" "), async () => {
      const { child, shell } = startShell(argv);
      strictEqual((await shell.run("true")).exitCode, 0);
      strictEqual(shell.flights, 1);
      const results = await Promise.all([
        shell.run("echo a; echo a-err >&2; exit 1"),
        shell.run("echo 'unbalanced"),
        // Its stderr comes before the first command's stdout has been read, likely.
        shell.run("echo b-err >&2; sleep 0.1; echo b"),
        shell.run("printf c"),
      ]);
      deepStrictEqual(
        results.map((r) => [r.exitCode, r.output.stdoutLines, r.output.stderrLines.length]),
        [[1, ["a"], 1], [2, [], 1], [0, ["b"], 1], [0, ["c"], 0]],
      );
      deepStrictEqual([results[0].output.stderr, results[2].output.stderr], ["a-err", "b-err"]);
      strictEqual(shell.flights, 2, "the four commands went in one flight");
      await shell.run("true");
      strictEqual(shell.flights, 3);
      await shell.close();
      await child.status;
    });
  }
});

Deno.test("PersistentShell interrupts every command sent when one is aborted", async () => {
  const interrupts: (number | undefined)[] = [];
  const { child, shell } = startShell(["sh"], (pid) => interrupts.push(pid));
  await shell.run("true");
  const controller = new AbortController();
  const first = shell.run("echo started; sleep 30", {
    signal: controller.signal,
    onOutput: () => controller.abort(),
  });
  const second = shell.run("echo never", { signal: controller.signal });
  await rejects(first, { name: "ShellInterruptedError" });
  await rejects(second, (error: Error & { output?: { stdout: string } }) => {
    deepStrictEqual([error.name, error.output?.stdout], ["ShellInterruptedError", ""]);
    return true;
  });
  deepStrictEqual(interrupts, [child.pid]);
  Deno.kill(-child.pid, "SIGKILL");
  await child.status;
});

Deno.test("framedScript() with a gate runs only while no earlier command of the gate failed", () => {
  strictEqual(
    framedScript("false", {}, "M", { name: "skiff_gate_ab", codes: [0, 3] }),
    `if [ -z "\${skiff_gate_ab-}" ]; then { skiff_s=$( { { { ( eval false ) </dev/null 3>&- 4>&-; skiff_s=$?; ` +
      `printf '\\n%s:%s\\n' M $skiff_s; printf '\\n%s\\n' M >&2; printf %s $skiff_s >&4; } 2>&1 >&3 3>&- | ` +
      `{ while IFS= read -r l; do printf '%s|%s\\n' M "$l"; done; [ -z "$l" ] || printf '%s|%s\\n' M "$l"; } 4>&-; } ` +
      `3>&1 | skiff_f=M cat 4>&-; printf ' %s' "$?" >&4; } 2>/dev/null 4>&1 >&5 5>&- ); } 5>&1; ` +
      `case $skiff_s in '0 0'|'3 0') ;; *) skiff_gate_ab=1;; esac; ` +
      `else skiff_s='- 0'; printf '\\n%s:-\\n' M; fi; printf '\\n%s.%s\\n' M "\${skiff_s#* }"\n`,
  );
});

Deno.test("PersistentShell stops a gated batch at its first failure, in one flight", async (t) => {
  for (const argv of [["sh"], ["busybox", "sh"]]) {
    await t.step(argv.join(" "), async () => {
      await using dir = await tempDir();
      const { child, shell } = startShell(argv);
      await shell.run("true");
      const run = (command: string, name: string, codes: number[]) =>
        shell.run(command, { gate: { name, codes } });
      const stopped = await Promise.all([
        run("echo one", "skiff_gate_1", [0]),
        run("echo two; exit 3", "skiff_gate_1", [0]),
        run(`touch ${dir.join("three")}`, "skiff_gate_1", [0]),
      ]);
      deepStrictEqual(
        stopped.map((r) => [r.exitCode, r.output.stdout, r.skipped ?? false]),
        [[0, "one", false], [3, "two", false], [-1, "", true]],
      );
      strictEqual(await Deno.stat(dir.join("three")).then(() => true, () => false), false);
      const allowed = await Promise.all([
        run("exit 3", "skiff_gate_2", [0, 3]),
        run("echo after", "skiff_gate_2", [0, 3]),
      ]);
      deepStrictEqual(allowed.map((r) => [r.exitCode, r.skipped ?? false]), [[3, false], [
        0,
        false,
      ]]);
      strictEqual(shell.flights, 3, "one flight per batch");
      await shell.close();
      await child.status;
    });
  }
});

Deno.test("a shell whose stderr ends before its stdout still gives the last command's result", async () => {
  // An SSH channel or a process ends both streams; their ends may be read in either order.
  const sent: string[] = [];
  let stdoutOf!: ReadableStreamDefaultController<Uint8Array>;
  const shell = new PersistentShell({
    stdin: new WritableStream({
      write: (chunk) => void sent.push(new TextDecoder().decode(chunk)),
    }),
    stdout: new ReadableStream({ start: (controller) => void (stdoutOf = controller) }),
    stderr: new ReadableStream({ start: (controller) => controller.close() }),
  });
  const last = shell.run("echo last; exit 4");
  await new Promise((resolve) => setTimeout(resolve, 20));
  const marker = sent.join("").match(/__skiff_[0-9a-f]{32}/)![0];
  stdoutOf.enqueue(
    new TextEncoder().encode(`last\n${marker}:4\n${marker}|${marker}\n${marker}.0\n`),
  );
  stdoutOf.close();
  const result = await last;
  deepStrictEqual([result.exitCode, result.output.stdout], [4, "last"]);
});
