/**
 * Network faults through the CLI against a real sshd: 4 (the session is
 * open but the shell never answers), 5 (sshd killed mid-command), 6 (the
 * link freezes mid-upload: a proxy stops forwarding both ways) and 24 (a
 * host reboots mid-deploy while another finishes). Each asserts the exit
 * code, the one failure line, and what is left on the host.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff, spawnSkiff } from "../helpers/cli.ts";
import { startFreezeProxy } from "../helpers/freeze_proxy.ts";
import { sshFleet } from "../helpers/ssh_fleet.ts";
import { startSshd, TEST_USER, type TestSshd } from "../helpers/sshd.ts";
import { randomBytes, tempDir } from "../helpers/temp.ts";

const decoder = new TextDecoder();

/** `--data` reaching `sshd` on `port` (a proxy's, say) with keepalives 1 s apart. */
async function sshData(sshd: TestSshd, dir: string, port = sshd.port): Promise<string[]> {
  const known = `${dir}/known_hosts.${port}`;
  await Deno.writeTextFile(known, `[127.0.0.1]:${port} ${sshd.hostKey}\n`);
  return [
    "--data",
    `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${known},ssh_keepalive_interval=1`,
  ];
}

/** The names in `dir`, sorted. */
function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

/** Waits up to `seconds` for `check` to hold; returns whether it did. */
async function eventually(check: () => boolean, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** The child's output, or a failure (the child killed) when it runs past `seconds`. */
async function outputWithin(
  child: Deno.ChildProcess,
  seconds: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const timer = setTimeout(() => child.kill("SIGKILL"), seconds * 1000);
  try {
    const output = await child.output();
    const run = {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
    strictEqual(output.signal, null, `skiff still ran after ${seconds} s: ${run.stdout}`);
    return run;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("fault 6: a link frozen mid-upload fails the host within the keepalive window, exit 1, and leaves no file once the host sees the drop", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  await Deno.writeFile(dir.join("big.bin"), randomBytes(32 * 1024 * 1024));
  const lost = "connection lost: no answer to 3 keepalives sent 1 s apart (ssh_keepalive_interval)";
  const sftp = (path: string, host: string) => `Upload to ${path} on ${host} failed: ${lost}`;
  const staged = (path: string, host: string) =>
    `Could not move the upload into "${path}" on ${host}: ${lost}`;
  const cases = [
    { name: "SFTP upload; then sshd sees the drop", put: "{}", end: "cut", error: sftp },
    { name: "SFTP upload; then the link is back", put: "{}", end: "thaw", error: sftp },
    {
      name: "an upload with an owner (streamed into a staged file); then sshd sees the drop",
      put: `{ user: ${JSON.stringify(TEST_USER)} }`,
      end: "cut",
      error: staged,
    },
  ] as const;
  for (const [index, { name, put, end, error }] of cases.entries()) {
    await t.step(name, async () => {
      await using target = await tempDir();
      await Deno.chmod(target.path, 0o777);
      await Deno.writeTextFile(target.join("big.bin"), "old\n");
      await Deno.chmod(target.join("big.bin"), 0o666);
      const deploy = dir.join("put.ts");
      await Deno.writeTextFile(
        deploy,
        `export default async ({ ops }) => {\n  await ops.files.put("big.bin", ${
          JSON.stringify(target.join("big.bin"))
        }, ${put});\n};\n`,
      );
      await using proxy = startFreezeProxy(sshd.port, 2 * 1024 * 1024);
      const host = `@ssh/${TEST_USER}@127.0.0.1:${proxy.port}`;
      // A lock of its own: the run that lost its host could not release the one it took there.
      const env = { SKIFF_RUN_LOCK: dir.join(`lock${index}`) };
      const child = spawnSkiff(
        ["deploy", host, deploy, "-y", ...await sshData(sshd, dir.path, proxy.port)],
        { env },
      );
      const output = outputWithin(child, 60);
      const froze = await Promise.race([proxy.frozen.then(() => true), output.then(() => false)]);
      const frozenAt = performance.now();
      const run = await output;
      strictEqual(froze, true, `skiff ended before the link froze: ${run.stdout}${run.stderr}`);
      const seconds = (performance.now() - frozenAt) / 1000;
      strictEqual(run.code, 1, run.stdout + run.stderr);
      strictEqual(
        run.stdout.split("\n")[0],
        `[${host}] files.put big.bin: failed: ${error(target.join("big.bin"), host)}`,
        run.stdout + run.stderr,
      );
      // 3 keepalives 1 s apart and one more interval, then the disconnect.
      strictEqual(seconds < 10, true, `took ${seconds} s after the link froze`);
      strictEqual(await Deno.readTextFile(target.join("big.bin")), "old\n", "never truncated");
      if (end === "cut") proxy.cut();
      else proxy.thaw();
      strictEqual(
        await eventually(() => names(target.path).length === 1, 10),
        true,
        `left on the host: ${names(target.path).join(", ")}`,
      );
      deepStrictEqual(names(target.path), ["big.bin"]);
      strictEqual(
        await Deno.readTextFile(target.join("big.bin")),
        "old\n",
        "nothing partial renamed into place once the host saw the drop",
      );
    });
  }
});

/** A running skiff whose output is collected as it arrives. */
interface LiveRun {
  /** What it printed to stdout so far. */
  readonly stdout: string;
  /** Its output once it ended (killed after `seconds`). */
  ended(seconds: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

function live(child: Deno.ChildProcess): LiveRun {
  let stdout = "";
  let stderr = "";
  const reading = Promise.all([
    (async () => {
      for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) stdout += text;
    })(),
    (async () => {
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) stderr += text;
    })(),
  ]);
  return {
    get stdout() {
      return stdout;
    },
    async ended(seconds) {
      const timer = setTimeout(() => child.kill("SIGKILL"), seconds * 1000);
      try {
        const status = await child.status;
        await reading;
        strictEqual(status.signal, null, `skiff still ran after ${seconds} s: ${stdout}${stderr}`);
        return { code: status.code, stdout, stderr };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `pid` and every process under it, parents first; only those named `name` when given. */
function processTree(pid: number, name?: string): number[] {
  const table = new TextDecoder().decode(
    new Deno.Command("ps", { args: ["-eo", "pid=,ppid=,comm="] }).outputSync().stdout,
  ).trim().split("\n").map((line) => line.trim().split(/\s+/))
    .map(([child, parent, comm]) => ({ child: Number(child), parent: Number(parent), comm }));
  const below = (parent: number): typeof table =>
    table.filter((row) => row.parent === parent).flatMap((row) => [row, ...below(row.child)]);
  const self = table.find((row) => row.child === pid);
  return [...(self ? [self] : []), ...below(pid)]
    .filter((row) => name === undefined || row.comm === name).map((row) => row.child);
}

/** Kills every process in `pids` at once (SIGKILL), in order. */
function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
}

Deno.test("fault 4: a session open but never answered fails the host, exit 1", async (t) => {
  await using dir = await tempDir();
  await t.step("the link goes silent mid-command: the keepalives end it", async () => {
    await using sshd = await startSshd();
    await using proxy = startFreezeProxy(sshd.port);
    const host = `@ssh/${TEST_USER}@127.0.0.1:${proxy.port}`;
    const run = live(spawnSkiff([
      "exec",
      host,
      ...await sshData(sshd, dir.path, proxy.port),
      "--",
      "echo started; sleep 40",
    ]));
    strictEqual(await eventually(() => run.stdout.includes("started"), 20), true, run.stdout);
    proxy.freeze();
    const frozenAt = performance.now();
    const { code, stdout, stderr } = await run.ended(30);
    const seconds = (performance.now() - frozenAt) / 1000;
    strictEqual(code, 1, stdout + stderr);
    strictEqual(stdout, `[${host}] started\n`);
    strictEqual(
      stderr,
      `[${host}] command failed: connection lost: ` +
        "no answer to 3 keepalives sent 1 s apart (ssh_keepalive_interval)\n0 of 1 hosts succeeded\n",
    );
    strictEqual(seconds < 10, true, `took ${seconds} s after the link froze`);
  });
  await t.step(
    "sshd answers the keepalives but the shell never does: --host-timeout ends it",
    async () => {
      await using sshd = await startSshd({ extraConfig: "ForceCommand sleep 40" });
      const host = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
      const deploy = dir.join("one.ts");
      await Deno.writeTextFile(
        deploy,
        `export default async ({ ops }) => {\n  await ops.server.shell("true");\n};\n`,
      );
      const started = performance.now();
      const run = await live(spawnSkiff(
        ["deploy", host, deploy, "-y", "--host-timeout", "3", ...await sshData(sshd, dir.path)],
        { env: { SKIFF_RUN_LOCK: dir.join("lock") } },
      )).ended(30);
      const seconds = (performance.now() - started) / 1000;
      strictEqual(run.code, 1, run.stdout + run.stderr);
      strictEqual(
        run.stdout.split("\n")[0],
        `[${host}] failed: did not finish within 3 s (--host-timeout): stopped`,
      );
      strictEqual(seconds < 10, true, `took ${seconds} s`);
    },
  );
});

Deno.test("fault 5: sshd killed mid-command fails the host at once naming the operation, exit 1", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const host = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const deploy = dir.join("long.ts");
  await Deno.writeTextFile(
    deploy,
    `export default async ({ ops }) => {\n  await ops.server.shell("touch started; sleep 42", { _chdir: ${
      JSON.stringify(dir.path)
    } });\n};\n`,
  );
  const run = live(spawnSkiff(
    ["deploy", host, deploy, "-y", "-v", ...await sshData(sshd, dir.path)],
    { env: { SKIFF_RUN_LOCK: dir.join("lock") } },
  ));
  const started = () => Deno.statSync(dir.join("started")).isFile;
  strictEqual(
    await eventually(() => {
      try {
        return started();
      } catch {
        return false;
      }
    }, 20),
    true,
    run.stdout,
  );
  const killedAt = performance.now();
  // The listener and the sshd processes of its sessions (the command itself is left alone).
  killAll(processTree(sshd.pid, "sshd"));
  const { code, stdout } = await run.ended(30);
  const seconds = (performance.now() - killedAt) / 1000;
  strictEqual(code, 1, stdout);
  // The socket may say why it closed (read ECONNRESET) or just close.
  const lost = /connection lost(: read ECONNRESET)?/.exec(stdout)?.[0];
  strictEqual(
    stdout.split("\n").find((line) => line.includes("failed")),
    `[${host}] server.shell touch started; sleep 42: failed: ` +
      `Command failed on ${host} with ${lost}: touch started; sleep 42`,
    stdout,
  );
  strictEqual(seconds < 5, true, `took ${seconds} s after sshd died`);
});

Deno.test("fault 24: a host rebooting mid-deploy fails clearly, the other finishes, exit 1; its run lock is taken over once it is back", async () => {
  await using fleet = await sshFleet(2, ["web1", "web2"]);
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const fleetPath = await fleet.write(dir.path);
  const lock = dir.join("lock");
  const deploy = dir.join("long.ts");
  await Deno.writeTextFile(
    deploy,
    "export default async ({ ops, host }) => {\n" +
      `  await ops.server.shell("touch started-" + host.name + "; sleep 3", { _chdir: ${
        JSON.stringify(dir.path)
      } });\n` +
      `  await ops.files.file(${JSON.stringify(dir.path)} + "/done-" + host.name);\n};\n`,
  );
  const args = ["deploy", fleetPath, deploy, "-y", "--data", "ssh_keepalive_interval=1"];
  const env = { SKIFF_RUN_LOCK: lock };
  const run = live(spawnSkiff(args, { env }));
  const started = (name: string) => names(dir.path).includes(`started-${name}`);
  strictEqual(await eventually(() => started("web1") && started("web2"), 20), true, run.stdout);
  // The reboot: web1's sshd and everything it started die at once (the sshd processes
  // first, so the connection drops before a killed command could report its status).
  const [web1] = fleet.servers;
  killAll(processTree(web1.pid));
  const first = await run.ended(30);
  strictEqual(first.code, 1, first.stdout + first.stderr);
  const command = `touch started-web1; sleep 3`;
  // The socket may say why it closed (read ECONNRESET) or just close.
  const lost = /connection lost(: read ECONNRESET)?/.exec(first.stdout)?.[0];
  deepStrictEqual(
    first.stdout.split("\n").filter((line) => line.startsWith("[web")),
    [
      `[web1] server.shell ${command}: failed: Command failed on web1 with ${lost}: ${command}`,
      `[web1] warning: could not release the run lock (${lock}): ${lost}`,
      "[web2] server.shell touch started-web2; sleep 3: changed (ran: touch started-web2; sleep 3)",
      `[web2] files.file ${dir.join("done-web2")}: changed (created ${dir.join("done-web2")})`,
    ],
    first.stdout,
  );
  deepStrictEqual(names(dir.path).filter((name) => name.startsWith("done-")), ["done-web2"]);
  strictEqual(await Deno.stat(`${lock}/info`).then(() => true, () => false), true, "web1's share");

  await web1.restart();
  const again = await runSkiff([...args, "--limit", "web1"], { env });
  strictEqual(again.code, 0, again.stdout + again.stderr);
  strictEqual(
    again.stdout.split("\n")[0].startsWith(
      `[web1] warning: took over a stale run lock (${lock}) of controller ${Deno.hostname()}`,
    ),
    true,
    again.stdout,
  );
  deepStrictEqual(names(dir.path).filter((name) => name.startsWith("done-")), [
    "done-web1",
    "done-web2",
  ]);
  strictEqual(await Deno.stat(lock).then(() => true, () => false), false, "released");
});
