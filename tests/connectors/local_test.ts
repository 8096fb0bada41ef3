import { deepStrictEqual, match, rejects, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { runProcess, spawnShell } from "../../lib/process.ts";
import { randomBytes, sha256Hex, tempDir } from "../helpers/temp.ts";

function local(): LocalConnector {
  return new LocalConnector({ name: "@local", data: {}, groups: ["@local"] }, { runProcess });
}

/** A connected @local with its persistent shell. */
async function localShell(): Promise<LocalConnector> {
  const connector = new LocalConnector({ name: "@local", data: {}, groups: ["@local"] }, {
    runProcess,
    spawnShell,
  });
  await connector.connect();
  return connector;
}

/** True while `pid` exists and is not a zombie (asked of `ps`: Deno guards reads of /proc). */
function alive(pid: number): boolean {
  const out = new Deno.Command("ps", { args: ["-o", "stat=", "-p", String(pid)] }).outputSync();
  const state = new TextDecoder().decode(out.stdout).trim();
  return state !== "" && !state.startsWith("Z");
}

for (const mode of ["a process per command", "the persistent shell"]) {
  Deno.test(`LocalConnector.runShellCommand() runs commands with streams, stdin and exit codes (${mode})`, async (t) => {
    const connector = mode === "the persistent shell" ? await localShell() : local();
    await t.step("stdout and stderr in order", async () => {
      const result = await connector.runShellCommand(
        "echo out; sleep 0.05; echo err >&2; sleep 0.05; echo out2",
      );
      strictEqual(result.success, true);
      strictEqual(result.exitCode, 0);
      deepStrictEqual(result.output.lines, [
        { stream: "stdout", line: "out" },
        { stream: "stderr", line: "err" },
        { stream: "stdout", line: "out2" },
      ]);
    });
    await t.step("stdin as text, bytes and lines", async () => {
      strictEqual(
        (await connector.runShellCommand("cat", { _stdin: "a\nb" })).output.stdout,
        "a\nb",
      );
      strictEqual(
        (await connector.runShellCommand("wc -c", { _stdin: new Uint8Array(1000) })).output.stdout
          .trim(),
        "1000",
      );
      strictEqual(
        (await connector.runShellCommand("cat", { _stdin: ["x", "y"] })).output.stdout,
        "x\ny",
      );
    });
    await t.step("exit codes and _success_exit_codes", async () => {
      const failed = await connector.runShellCommand("exit 3");
      deepStrictEqual([failed.success, failed.exitCode], [false, 3]);
      const accepted = await connector.runShellCommand("exit 3", { _success_exit_codes: [0, 3] });
      deepStrictEqual([accepted.success, accepted.exitCode], [true, 3]);
    });
    await t.step("control arguments shape the command", async () => {
      await using dir = await tempDir();
      await Deno.chmod(dir.path, 0o755);
      // The suite runs as root: sudo to another user is what shows sudo was applied.
      const result = await connector.runShellCommand(`printf '%s %s %s' "$PWD" "$X" "$(id -un)"`, {
        _chdir: dir.path,
        _env: { X: "$(id)" },
        _sudo: true,
        _sudo_user: "nobody",
      });
      strictEqual(result.output.stdout, `${dir.path} $(id) nobody`, result.output.stderr);
    });
    await t.step("live output", async () => {
      const seen: string[] = [];
      await connector.runShellCommand("echo 1; echo 2 >&2", {
        onOutput: (l) => seen.push(`${l.stream}:${l.line}`),
      });
      deepStrictEqual(seen, ["stdout:1", "stderr:2"]);
    });
    await connector.disconnect();
  });
}

Deno.test("LocalConnector.runShellCommand() _timeout kills the whole process tree", async () => {
  await using dir = await tempDir();
  const pids = dir.join("pids");
  const started = Date.now();
  const result = await local().runShellCommand(`sleep 30 & echo $! > ${pids}; sleep 31`, {
    _timeout: 0.5,
  });
  const elapsed = Date.now() - started;
  strictEqual(result.success, false);
  strictEqual(result.timedOut, true);
  strictEqual(result.exitCode, null);
  strictEqual(result.error, "timed out");
  strictEqual(elapsed < 5000, true, `took ${elapsed} ms`);
  const child = Number((await Deno.readTextFile(pids)).trim());
  strictEqual(alive(child), false, `background sleep ${child} survived`);
});

Deno.test("LocalConnector keeps one shell: skiff's scripts share it, an abort kills its group, disconnect ends it", async () => {
  await using dir = await tempDir();
  const connector = await localShell();
  const signal = new AbortController();
  const shared = async () =>
    (await connector.runShellCommand("echo $$", { sharedShell: true, signal: signal.signal }))
      .output.stdout;
  const shellPid = await shared();
  strictEqual(await shared(), shellPid);
  strictEqual(alive(Number(shellPid)), true);
  // An operator's command gets its own `sh -c`, so its own `$$`.
  const own = (await connector.runShellCommand("echo $$")).output.stdout;
  strictEqual(own !== shellPid && /^\d+$/.test(own), true);
  const pids = dir.join("pids");
  const running = connector.runShellCommand(`sleep 30 & echo $! > ${pids}; echo go; sleep 31`, {
    signal: signal.signal,
    onOutput: (line) => line.line === "go" && signal.abort(),
  });
  const result = await running;
  deepStrictEqual([result.success, result.exitCode, result.error, result.output.stdout], [
    false,
    null,
    "interrupted",
    "go",
  ]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const child = Number((await Deno.readTextFile(pids)).trim());
  deepStrictEqual([alive(child), alive(Number(shellPid))], [false, false]);
  // Later commands run as a process each.
  strictEqual((await connector.runShellCommand("echo after")).output.stdout, "after");
  await connector.disconnect();

  const second = await localShell();
  const pid = Number(
    (await second.runShellCommand("echo $$", { sharedShell: true })).output.stdout,
  );
  strictEqual(alive(pid), true);
  // A background process that keeps its command's pipes open fails that
  // command once the hold limit has passed: its pipes are cut, the same
  // shell goes on, and the process is not killed.
  const held = await second.runShellCommand(
    `sh -c 'echo $$ >${dir.join("holder")}; exec sleep 5' &`,
  );
  deepStrictEqual([held.success, held.exitCode], [false, 0]);
  match(String(held.error), /^output still open 2 s after it ended, held by a process it left/);
  const next = await second.runShellCommand("echo $$", { sharedShell: true });
  strictEqual(Number(next.output.stdout), pid);
  const holder = Number(await Deno.readTextFile(dir.join("holder")));
  strictEqual(alive(holder), true);
  // Nor does it hold up the disconnect.
  const closing = Date.now();
  await second.disconnect();
  strictEqual(Date.now() - closing < 2000, true, `disconnect took ${Date.now() - closing} ms`);
  strictEqual(alive(pid), false);
  Deno.kill(holder, "SIGKILL");
});

Deno.test("LocalConnector.putFile() writes atomically from a path, bytes or a stream", async (t) => {
  await using dir = await tempDir();
  const connector = local();
  const payload = randomBytes(300_000);
  const expected = await sha256Hex(payload);
  const source = dir.join("source.bin");
  await Deno.writeFile(source, payload);
  await t.step("from a path", async () => {
    strictEqual(await connector.putFile(source, dir.join("a.bin")), true);
    strictEqual(await sha256Hex(await Deno.readFile(dir.join("a.bin"))), expected);
  });
  await t.step("from bytes with a mode", async () => {
    await connector.putFile(payload, dir.join("b.bin"), { mode: "640" });
    strictEqual(await sha256Hex(await Deno.readFile(dir.join("b.bin"))), expected);
    strictEqual((await Deno.stat(dir.join("b.bin"))).mode! & 0o777, 0o640);
  });
  await t.step("from a stream", async () => {
    await connector.putFile(
      ReadableStream.from([payload.subarray(0, 10), payload.subarray(10)]),
      dir.join("c.bin"),
    );
    strictEqual(await sha256Hex(await Deno.readFile(dir.join("c.bin"))), expected);
  });
  await t.step("with _sudo through the wrapped command", async () => {
    await connector.putFile(payload, dir.join("d.bin"), { _sudo: true, mode: "600" });
    strictEqual(await sha256Hex(await Deno.readFile(dir.join("d.bin"))), expected);
    strictEqual((await Deno.stat(dir.join("d.bin"))).mode! & 0o777, 0o600);
  });
  await t.step("a failing stream leaves the destination untouched and no temp file", async () => {
    await Deno.writeTextFile(dir.join("keep.txt"), "original");
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(100));
        controller.error(new Error("connection dropped"));
      },
    });
    await rejects(connector.putFile(broken, dir.join("keep.txt")), {
      name: "OperationError",
      message: `Could not write "${dir.join("keep.txt")}": the source failed: connection dropped`,
    });
    strictEqual(await Deno.readTextFile(dir.join("keep.txt")), "original");
    const names = [...Deno.readDirSync(dir.path)].map((e) => e.name).filter((n) =>
      n.includes("skiff-")
    );
    deepStrictEqual(names, []);
  });
});

Deno.test("LocalConnector.getFile() copies to a path or a stream", async () => {
  await using dir = await tempDir();
  const connector = local();
  await Deno.writeTextFile(dir.join("src.txt"), "hello\n");
  await connector.getFile(dir.join("src.txt"), dir.join("dest.txt"));
  strictEqual(await Deno.readTextFile(dir.join("dest.txt")), "hello\n");
  await connector.getFile(dir.join("src.txt"), dir.join("sudo.txt"), { _sudo: true });
  strictEqual(await Deno.readTextFile(dir.join("sudo.txt")), "hello\n");
  const chunks: Uint8Array[] = [];
  await connector.getFile(
    dir.join("src.txt"),
    new WritableStream({ write: (c) => void chunks.push(c) }),
  );
  strictEqual(new TextDecoder().decode(chunks[0]), "hello\n");
  await rejects(connector.getFile(dir.join("missing"), dir.join("x")), { name: "NotFound" });
});

Deno.test("LocalConnector.rsync() copies a tree with the local rsync", async () => {
  await using dir = await tempDir();
  const connector = local();
  await connector.checkCanRsync();
  await Deno.mkdir(dir.join("src/sub"), { recursive: true });
  await Deno.writeTextFile(dir.join("src/sub/f.txt"), "x");
  strictEqual(await connector.rsync(dir.join("src/"), dir.join("dest/"), ["-a"]), true);
  strictEqual(await Deno.readTextFile(dir.join("dest/sub/f.txt")), "x");
});

Deno.test("localArgv() runs sh directly unless privileges or another shell are asked", async (t) => {
  const { localArgv } = await import("../../connectors/local.ts");
  await t.step(
    "plain",
    () => deepStrictEqual(localArgv("echo hi", {}), { argv: ["sh", "-c", "echo hi"], env: {} }),
  );
  await t.step(
    "env and chdir",
    () =>
      deepStrictEqual(localArgv("make", { _chdir: "/a b", _env: { X: "$y" } }).argv, [
        "sh",
        "-c",
        "cd '/a b' && export X='$y' && make",
      ]),
  );
  await t.step(
    "another shell",
    () =>
      deepStrictEqual(localArgv("echo hi", { _shell_executable: "bash" }).argv, [
        "sh",
        "-c",
        "bash -c 'echo hi'",
      ]),
  );
  await t.step(
    "sudo",
    () =>
      deepStrictEqual(localArgv("id", { _sudo: true }).argv, ["sh", "-c", "sudo -H -n sh -c id"]),
  );
});
