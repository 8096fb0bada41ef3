/**
 * The deploy workload on 1, 8 and 32 loopback sshd hosts (each its own sshd
 * process), through skiff and through plain OpenSSH doing the same work in
 * one script per host (the floor): 20 shell commands, a 0755 directory, a
 * 1 MiB upload, a line in a config file, a small rendered file, 3 facts;
 * then the same deploy again. skiff runs as the operator runs it: the CLI
 * process with the binary's flags, under GNU time for its CPU and peak
 * memory (VmHWM). Host-side CPU is the machine's busy time (/proc/stat)
 * minus the controller's: every sshd and everything it ran. Prints wall
 * time, controller CPU, host-side CPU, peak memory and the ratios.
 *
 * Usage: deno run --allow-read --allow-write --allow-net --allow-run --allow-env --allow-sys
 *          bench/deploy_bench.ts [HOSTS…]   (default 1 8 32; `deno task bench` runs them all)
 *
 * @module
 */

import { RUN_FLAGS, RUNTIME_FLAGS } from "../lib/build/permissions.ts";
import { startSshd, TEST_USER, type TestSshd } from "../tests/helpers/sshd.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

const DEPLOY = `export default async function ({ ops, facts, host }) {
  const root = String(host.data.bench_root);
  await ops.server.shell(Array.from({ length: 20 }, (_, i) => "echo step " + i + " > /dev/null"));
  await ops.files.directory(root, { mode: "755" });
  await ops.files.put("payload.bin", root + "/payload.bin");
  await ops.files.line(root + "/app.conf", "workers=4", { match: /^workers=/, create: true });
  await ops.files.template("motd.j2", root + "/motd", { data: { greeting: "hello" } });
  await Promise.all([facts.server.hostname(), facts.server.os(), facts.server.users()]);
}
`;

const FLOOR = (root: string) =>
  `set -e
for i in $(seq 0 19); do echo "step $i" > /dev/null; done
mkdir -p ${root} && chmod 755 ${root}
grep -qx 'workers=4' ${root}/app.conf 2>/dev/null || echo workers=4 >> ${root}/app.conf
printf '%s\\n' 'hello from host' > ${root}/motd
uname -n >/dev/null; cat /etc/os-release >/dev/null; cat /etc/passwd /etc/group >/dev/null
`;

/**
 * CPU time the whole machine spent busy, in ms (from /proc/stat). The bench
 * machine runs nothing else, so this is the controller plus every sshd and
 * everything the hosts ran, however short-lived.
 */
async function machineBusyMs(): Promise<number> {
  // Deno reads /proc only with every permission granted; cat may read it.
  const out = await new Deno.Command("cat", { args: ["/proc/stat"], stdout: "piped" }).output();
  const fields = new TextDecoder().decode(out.stdout).split("\n")[0].trim().split(/\s+/).slice(1)
    .map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  return (total - fields[3] - fields[4]) * 10; // minus idle and iowait; USER_HZ = 100
}

/** One run: wall and CPU times in ms, peak memory, changes reported. */
export interface Measure {
  wall: number;
  controllerCpu: number;
  serverCpu: number;
  /** Peak resident memory of the controller process (VmHWM), MiB. */
  peakMiB: number;
  changes: number;
}

/** What GNU time reports of a process and everything it waited for. */
interface Timed {
  /** User plus system CPU, ms. */
  cpuMs: number;
  /** Peak resident memory of the largest process, MiB. */
  peakMiB: number;
  stdout: string;
}

/** Runs `argv` under GNU time; `label` names it when it fails. */
async function underTime(
  label: string,
  argv: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Timed> {
  const output = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "@@time %U %S %M", ...argv],
    ...options,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`${label} failed:\n${stdout}\n${stderr}`);
  const [, user, system, maxKiB] = /@@time (\S+) (\S+) (\d+)/.exec(stderr)!;
  return {
    cpuMs: (Number(user) + Number(system)) * 1000,
    peakMiB: Number(maxKiB) / 1024,
    stdout,
  };
}

/** The skiff CLI exactly as the binary runs it, under GNU time for its CPU and peak memory. */
export async function skiffCli(
  dir: string,
  options: { fleet?: string; runFlags?: string[] } = {},
): Promise<Omit<Measure, "serverCpu" | "wall">> {
  const run = await underTime("skiff deploy", [
    Deno.execPath(),
    "run",
    "--quiet",
    ...RUN_FLAGS,
    ...(options.runFlags ?? []),
    MAIN,
    "deploy",
    `${dir}/${options.fleet ?? "fleet.yml"}`,
    `${dir}/bench.ts`,
    "-y",
  ], { cwd: dir, env: { NO_COLOR: "1" } });
  return {
    controllerCpu: run.cpuMs,
    peakMiB: run.peakMiB,
    changes: run.stdout.split("\n").filter((line) => /: changed( |$)/.test(line)).length,
  };
}

async function measure(
  fn: () => Promise<Omit<Measure, "serverCpu" | "wall">>,
): Promise<Measure> {
  const busy = await machineBusyMs();
  const started = performance.now();
  const child = await fn();
  const wall = performance.now() - started;
  await new Promise((r) => setTimeout(r, 300)); // let sshd reap its sessions
  return {
    wall,
    ...child,
    serverCpu: (await machineBusyMs()) - busy - child.controllerCpu,
  };
}

/**
 * The floor: one `sh` that, for every host at once, copies the payload with
 * scp and then runs the whole workload as one script over one ssh session.
 * GNU time sums the CPU of every ssh and scp it waited for.
 */
async function opensshFloor(
  servers: TestSshd[],
  dir: string,
  tag: string,
): Promise<Omit<Measure, "serverCpu" | "wall">> {
  const lines = ["set -e"];
  for (const [i, server] of servers.entries()) {
    const root = `${dir}/${tag}-h${i}`;
    await Deno.writeTextFile(`${root}.sh`, FLOOR(root));
    const common =
      `-i ${server.clientKey} -o UserKnownHostsFile=${server.knownHosts} -o BatchMode=yes`;
    lines.push(
      `(scp -q -P ${server.port} ${common} ${dir}/payload.bin ${TEST_USER}@127.0.0.1:${root}.payload && ` +
        `ssh -p ${server.port} ${common} ${TEST_USER}@127.0.0.1 'sh -s' < ${root}.sh) &`,
    );
  }
  lines.push("for job in $(jobs -p); do wait $job; done");
  await Deno.writeTextFile(`${dir}/${tag}.sh`, lines.join("\n") + "\n");
  const run = await underTime("the OpenSSH floor", ["sh", `${dir}/${tag}.sh`]);
  return { controllerCpu: run.cpuMs, peakMiB: run.peakMiB, changes: 0 };
}

/** Peak memory of bench/runtime_floor.ts (Deno + ssh2 + one worker doing the transport work), MiB. */
async function runtimeFloorMiB(servers: TestSshd[], dir: string): Promise<number> {
  await Deno.writeTextFile(
    `${dir}/floor.json`,
    JSON.stringify({
      ports: servers.map((s) => s.port),
      key: servers[0].clientKey,
      user: TEST_USER,
      payload: `${dir}/payload.bin`,
      dir,
    }),
  );
  const run = await underTime("the runtime floor", [
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-read",
    "--allow-net",
    "--allow-env",
    "--allow-sys",
    ...RUNTIME_FLAGS,
    new URL("./runtime_floor.ts", import.meta.url).pathname,
    `${dir}/floor.json`,
  ]);
  return run.peakMiB;
}

/** `count` loopback sshd hosts and a directory holding the deploy, its files and the fleet. */
export interface DeployFleet extends AsyncDisposable {
  /** The directory: `fleet.yml`, `bench.ts`, `payload.bin`, `motd.j2`. */
  dir: string;
  /** One sshd per host. */
  servers: TestSshd[];
}

/** Starts `count` sshd hosts and writes the bench deploy and its fleet for them. */
export async function deployFleet(count: number): Promise<DeployFleet> {
  const servers: TestSshd[] = [];
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-deploy-" });
  const fleet = {
    dir,
    servers,
    [Symbol.asyncDispose]: async () => {
      for (const server of servers) await server[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
  try {
    await Deno.chmod(dir, 0o777);
    for (let i = 0; i < count; i++) {
      servers.push(
        await startSshd({
          authorize: i === 0 ? [] : [await Deno.readTextFile(`${servers[0].clientKey}.pub`)],
        }),
      );
    }
    const known = servers.map((s) => Deno.readTextFileSync(s.knownHosts)).join("");
    await Deno.writeTextFile(`${dir}/known_hosts`, known);
    const big = new Uint8Array(1024 * 1024);
    for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
    await Deno.writeFile(`${dir}/payload.bin`, big);
    await Deno.writeTextFile(`${dir}/motd.j2`, "{{ greeting }} from {{ host.name }}\n");
    await Deno.writeTextFile(`${dir}/bench.ts`, DEPLOY);
    const hosts = servers.map((s, i) =>
      `    h${i}: {ssh_port: ${s.port}, bench_root: ${dir}/skiff-h${i}}`
    ).join("\n");
    await Deno.writeTextFile(
      `${dir}/fleet.yml`,
      `fleet:\n  data:\n    ssh_hostname: 127.0.0.1\n    ssh_user: ${TEST_USER}\n    ssh_key: ${
        servers[0].clientKey
      }\n` +
        `    ssh_known_hosts_file: ${dir}/known_hosts\n    ssh_allow_agent: false\n    ssh_config_file: /dev/null\n` +
        `  hosts:\n${hosts}\n`,
    );
    return fleet;
  } catch (error) {
    await fleet[Symbol.asyncDispose]();
    throw error;
  }
}

/**
 * The peak memory of a first run on the fleet's first `count` hosts (the
 * hosts' directories removed first), MiB.
 */
export async function firstRunPeak(fleet: DeployFleet, count: number): Promise<number> {
  const yml = await Deno.readTextFile(`${fleet.dir}/fleet.yml`);
  const [head, hosts] = yml.split("  hosts:\n");
  const lines = hosts.split("\n").filter((line) => line !== "").slice(0, count);
  await Deno.writeTextFile(
    `${fleet.dir}/fleet${count}.yml`,
    `${head}  hosts:\n${lines.join("\n")}\n`,
  );
  for (let i = 0; i < count; i++) {
    await Deno.remove(`${fleet.dir}/skiff-h${i}`, { recursive: true }).catch(() => {});
  }
  return (await skiffCli(fleet.dir, { fleet: `fleet${count}.yml` })).peakMiB;
}

/** What {@linkcode benchDeploy} measured. */
export interface DeployResult {
  first: Measure;
  second: Measure;
  floor: Measure;
  /** Peak memory of the runtime floor (no skiff code), MiB. */
  runtimeFloor: number;
}

/** Runs the workload on `count` hosts and prints the comparison. */
export async function benchDeploy(count: number): Promise<DeployResult> {
  await using fleet = await deployFleet(count);
  const { dir, servers } = fleet;
  const run = () => skiffCli(dir);
  const first = await measure(run);
  const second = await measure(run);
  const floor = await measure(() => opensshFloor(servers, dir, "floor"));
  const floor2 = await measure(() => opensshFloor(servers, dir, "floor"));
  const runtimeFloor = await runtimeFloorMiB(servers, dir);
  const row = (label: string, m: Measure) =>
    `${label.padEnd(22)} wall ${m.wall.toFixed(0).padStart(6)} ms  controller CPU ${
      m.controllerCpu.toFixed(0).padStart(6)
    } ms  host CPU ${m.serverCpu.toFixed(0).padStart(6)} ms  peak ${
      m.peakMiB.toFixed(0).padStart(4)
    } MiB`;
  console.log(`== ${count} host(s)`);
  console.log(row("skiff, first run", first), ` (${first.changes} changes)`);
  console.log(row("skiff, second run", second), ` (${second.changes} changes)`);
  console.log(row("OpenSSH floor", floor));
  console.log(row("OpenSSH floor again", floor2));
  console.log(
    `runtime floor (Deno + ssh2 + one worker, no skiff code): peak ${runtimeFloor.toFixed(0)} MiB`,
  );
  const total = (m: Measure) => m.controllerCpu + m.serverCpu;
  console.log(
    `ratios vs floor: wall ${(first.wall / floor.wall).toFixed(2)}, total CPU ${
      (total(first) / total(floor)).toFixed(2)
    }; ` +
      `second/first wall ${(second.wall / first.wall).toFixed(2)}; peak memory ${
        Math.max(first.peakMiB, second.peakMiB).toFixed(0)
      } MiB (${
        (Math.max(first.peakMiB, second.peakMiB) / runtimeFloor).toFixed(2)
      }x the runtime floor)`,
  );
  return { first, second, floor, runtimeFloor };
}

if (import.meta.main) {
  const counts = Deno.args.length > 0 ? Deno.args.map(Number) : [1, 8, 32];
  for (const count of counts) await benchDeploy(count);
}
