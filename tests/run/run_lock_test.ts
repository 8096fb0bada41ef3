/**
 * Fault case 30: two runs against the same host at once. The lock lives on
 * the host, the second deploy is refused for that host naming the holder,
 * `--dry` and `exec` are not refused, the lock is released on every exit
 * path, and a stale one is taken over with a warning.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff, spawnSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";
import { acquireScript, parseAnswer, releaseScript } from "../../lib/run/run_lock.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const USER = Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? `uid-${Deno.uid()}`;

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await exists(path)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${path} did not appear within 10 s`);
}

/** A deploy that waits until `go` exists, then writes `done`. */
async function waitingDeploy(dir: string): Promise<string> {
  const path = `${dir}/hold.ts`;
  await Deno.writeTextFile(
    path,
    `export default async ({ ops }) => {\n  await ops.server.shell(${
      JSON.stringify(`while [ ! -e ${dir}/go ]; do sleep 0.05; done`)
    });\n};\n`,
  );
  return path;
}

/** A deploy that creates `dir/second`. */
async function markingDeploy(dir: string): Promise<string> {
  const path = `${dir}/second.ts`;
  await Deno.writeTextFile(
    path,
    `export default async ({ ops }) => {\n  await ops.files.file(${
      JSON.stringify(`${dir}/second`)
    });\n};\n`,
  );
  return path;
}

/** The holder's info line, once its lock has been written. */
async function holderInfo(lock: string): Promise<string[]> {
  await waitFor(`${lock}/info`);
  for (let i = 0; i < 40; i++) {
    const line = (await Deno.readTextFile(`${lock}/info`)).trim();
    if (line !== "") return line.split(" ");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("The lock's info stayed empty");
}

function sh(script: string): string {
  const out = new Deno.Command("sh", { args: ["-c", script] }).outputSync();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("run lock scripts take, share, refuse and release under a real sh", async () => {
  await using dir = await tempDir();
  const path = dir.join("lock");
  const a = { run: "run-a", controller: "ctl", user: "ann", pid: 1, started: "t1" };
  const b = { run: "run-b", controller: "ctl", user: "bob", pid: 2, started: "t2" };
  deepStrictEqual(parseAnswer(sh(acquireScript(a, "k1", { path }))), { state: "taken" });
  deepStrictEqual(parseAnswer(sh(acquireScript(a, "k2", { path }))), { state: "shared" });
  deepStrictEqual(parseAnswer(sh(acquireScript(b, "k3", { path }))), { state: "held", holder: a });
  sh(releaseScript("run-b", "k3", { path }));
  strictEqual(await exists(path), true, "another run's release never touches the lock");
  sh(releaseScript("run-a", "k1", { path }));
  strictEqual(await exists(path), true, "the run's other session still holds it");
  sh(releaseScript("run-a", "k2", { path }));
  strictEqual(await exists(path), false);
  sh(acquireScript(a, "k1", { path }));
  deepStrictEqual(
    parseAnswer(sh(acquireScript(b, "k3", { path, staleRun: "run-a" }))),
    { state: "taken" },
  );
  deepStrictEqual((await Deno.readTextFile(`${path}/info`)).trim(), "run-b ctl bob 2 t2");
  deepStrictEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["lock"]);
});

Deno.test("run lock scripts: sessions of one run join and leave at once without a race; a lock that cannot be made says why", async (t) => {
  await using dir = await tempDir();
  const path = dir.join("lock");
  const run = { run: "run-a", controller: "ctl", user: "ann", pid: 1, started: "t1" };
  const shAsync = async (script: string) =>
    new TextDecoder().decode(
      (await new Deno.Command("sh", { args: ["-c", script], stdout: "piped" }).output()).stdout,
    );
  await t.step("8 sessions at once: one takes it, 7 share it; all leave: it is gone", async () => {
    const tokens = Array.from({ length: 8 }, (_, i) => `k${i}`);
    const answers = await Promise.all(
      tokens.map((token) => shAsync(acquireScript(run, token, { path }))),
    );
    deepStrictEqual(
      answers.map((answer) => parseAnswer(answer).state).sort(),
      ["shared", "shared", "shared", "shared", "shared", "shared", "shared", "taken"],
    );
    await Promise.all(tokens.map((token) => shAsync(releaseScript("run-a", token, { path }))));
    strictEqual(await exists(path), false);
  });
  await t.step(
    "one session joins while the last leaves: it always ends holding a lock",
    async () => {
      for (let i = 0; i < 20; i++) {
        sh(acquireScript(run, "first", { path }));
        const [, joined] = await Promise.all([
          shAsync(releaseScript("run-a", "first", { path })),
          shAsync(acquireScript(run, "second", { path })),
        ]);
        strictEqual(["taken", "shared"].includes(parseAnswer(joined).state), true, joined);
        strictEqual(await exists(`${path}/info`), true, `round ${i}: the joiner holds no lock`);
        sh(releaseScript("run-a", "second", { path }));
        strictEqual(await exists(path), false, `round ${i}: left behind`);
      }
    },
  );
  await t.step("a lock that cannot be made: unknown, with mkdir's error", () => {
    const answer = parseAnswer(sh(acquireScript(run, "k", { path: dir.join("missing/lock") })));
    strictEqual(answer.state, "unknown");
    strictEqual(
      answer.state === "unknown" && answer.output.includes("No such file or directory"),
      true,
      JSON.stringify(answer),
    );
  });
});

Deno.test("fault 30: a second skiff deploy on a held @local host is refused, naming the holder", async (t) => {
  await using dir = await tempDir();
  const lock = dir.join("lock");
  const env = { SKIFF_RUN_LOCK: lock };
  const holder = spawnSkiff(["deploy", "@local", await waitingDeploy(dir.path), "-y"], { env });
  const [, controller, user, pid, started] = await holderInfo(lock);
  strictEqual(controller, Deno.hostname());
  strictEqual(user, USER);
  strictEqual(Number(pid), holder.pid);

  await t.step("deploy: the host fails, exit 1, nothing run", async () => {
    const second = await runSkiff(["deploy", "@local", await markingDeploy(dir.path), "-y"], {
      env,
    });
    strictEqual(second.code, 1, second.stderr);
    strictEqual(
      second.stdout.split("\n")[0],
      `[@local] failed: Another skiff run holds this host (controller ${controller}, user ${user}, ` +
        `pid ${pid}, started ${started}): wait for it, or remove ${lock} on the host if that run is gone`,
    );
    strictEqual(await exists(dir.join("second")), false);
  });
  await t.step("--dry and exec do not take the lock", async () => {
    const dry = await runSkiff(
      ["deploy", "@local", await markingDeploy(dir.path), "--dry"],
      { env },
    );
    strictEqual(dry.code, 0, dry.stderr);
    const exec = await runSkiff(["exec", "@local", "--", "echo", "free"], { env });
    strictEqual(exec.code, 0, exec.stderr);
    strictEqual(exec.stdout, "[@local] free\n");
  });
  await Deno.writeTextFile(dir.join("go"), "");
  const output = await holder.output();
  strictEqual(output.code, 0, new TextDecoder().decode(output.stderr));
  strictEqual(await exists(lock), false, "the holder released the lock");
});

Deno.test("the run lock is released on every exit path", async (t) => {
  await using dir = await tempDir();
  const lock = dir.join("lock");
  const env = { SKIFF_RUN_LOCK: lock };
  await t.step("a deploy that throws", async () => {
    await Deno.writeTextFile(
      dir.join("throws.ts"),
      `export default () => { throw new Error("boom"); };\n`,
    );
    const run = await runSkiff(["deploy", "@local", dir.join("throws.ts"), "-y"], { env });
    strictEqual(run.code, 1, run.stderr);
    strictEqual(await exists(lock), false);
  });
  await t.step("SIGTERM while an operation runs", async () => {
    const child = spawnSkiff(["deploy", "@local", await waitingDeploy(dir.path), "-y"], { env });
    await holderInfo(lock);
    child.kill("SIGTERM");
    const output = await child.output();
    strictEqual(output.code, 143);
    strictEqual(await exists(lock), false);
  });
});

Deno.test("a stale run lock is taken over with a warning; another controller's is refused", async (t) => {
  await using dir = await tempDir();
  const lock = dir.join("lock");
  const env = { SKIFF_RUN_LOCK: lock };
  const gone = new Deno.Command("true").spawn();
  await gone.status;
  await t.step("holder pid gone on this controller: taken over", async () => {
    await Deno.mkdir(lock);
    await Deno.writeTextFile(`${lock}/info`, `old ${Deno.hostname()} ann ${gone.pid} t0\n`);
    const run = await runSkiff(["deploy", "@local", await markingDeploy(dir.path), "-y"], { env });
    strictEqual(run.code, 0, run.stderr);
    strictEqual(
      run.stdout.split("\n")[0],
      `[@local] warning: took over a stale run lock (${lock}) of controller ${Deno.hostname()}, ` +
        `user ann, pid ${gone.pid}, started t0: that process is gone`,
    );
    strictEqual(await exists(dir.join("second")), true);
    strictEqual(await exists(lock), false);
  });
  await t.step("a holder on another controller cannot be checked: refused", async () => {
    await Deno.mkdir(lock);
    await Deno.writeTextFile(`${lock}/info`, `old elsewhere ann ${gone.pid} t0\n`);
    const run = await runSkiff(["deploy", "@local", await markingDeploy(dir.path), "-y"], { env });
    strictEqual(run.code, 1, run.stderr);
    strictEqual(run.stdout.includes("(controller elsewhere, user ann, pid"), true, run.stderr);
    strictEqual(await exists(`${lock}/info`), true, "another controller's lock stays");
  });
});

Deno.test("fault 30 over a real sshd: the second run is refused, the first releases", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const lock = dir.join("lock");
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const data = ["--data", `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`];
  const env = { SKIFF_RUN_LOCK: lock };
  const holder = spawnSkiff(["deploy", target, await waitingDeploy(dir.path), "-y", ...data], {
    env,
  });
  const [, , , pid] = await holderInfo(lock);
  strictEqual(Number(pid), holder.pid);
  strictEqual((await Deno.stat(lock)).uid, Number(sh(`id -u ${TEST_USER}`)), "made on the host");
  const second = await runSkiff(
    ["deploy", target, await markingDeploy(dir.path), "-y", ...data],
    { env },
  );
  strictEqual(second.code, 1, second.stderr);
  strictEqual(
    second.stdout.startsWith(`[${target}] failed: Another skiff run holds this host (`),
    true,
    second.stderr,
  );
  strictEqual(await exists(dir.join("second")), false);
  await Deno.writeTextFile(dir.join("go"), "");
  const output = await holder.output();
  strictEqual(output.code, 0, new TextDecoder().decode(output.stderr));
  strictEqual(await exists(lock), false);
});
