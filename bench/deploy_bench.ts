/**
 * The deploy workload on 1, 8 and 32 loopback sshd hosts (each its own sshd
 * process), through skiff and through plain OpenSSH doing the same work in
 * one script per host (the floor): 20 shell commands, a 0755 directory, a
 * 1 MiB upload, a line in a config file, a small rendered file, 3 facts;
 * then the same deploy again. Prints wall time, controller CPU, server-side
 * CPU (each sshd and everything it ran) and peak memory, and the ratios.
 *
 * Usage: deno task bench deploy [HOSTS…]   (default 1 8 32)
 *
 * @module
 */

import { builtinRegistry } from "../connectors/builtin.ts";
import { loadInventory } from "../lib/fleet/load.ts";
import { runProcess } from "../lib/process.ts";
import { runDeploys } from "../lib/runner.ts";
import { startSshd, TEST_USER, type TestSshd } from "../tests/helpers/sshd.ts";

const DEPLOY = `export default async function ({ ops, facts, host }) {
  const root = String(host.data.bench_root);
  await ops.server.shell(Array.from({ length: 20 }, (_, i) => "echo step " + i + " > /dev/null"));
  await ops.files.directory(root, { mode: "755" });
  await ops.files.put("payload.bin", root + "/payload.bin");
  await ops.files.line(root + "/app.conf", "workers=4", { match: /^workers=/, create: true });
  await ops.files.template("motd.j2", root + "/motd", { greeting: "hello" });
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

function ticksOf(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
}

function serverTicks(servers: TestSshd[]): number {
  return servers.reduce((sum, s) => sum + ticksOf(s.pid), 0);
}

function peakRssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
}

interface Measure {
  wall: number;
  controllerCpu: number;
  serverCpu: number;
}

async function measure(servers: TestSshd[], fn: () => Promise<unknown>): Promise<Measure> {
  const cpu = process.cpuUsage();
  const ticks = serverTicks(servers);
  const started = performance.now();
  await fn();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await new Promise((r) => setTimeout(r, 300)); // let sshd reap its sessions
  return {
    wall,
    controllerCpu: (used.user + used.system) / 1000,
    serverCpu: (serverTicks(servers) - ticks) * 10,
  };
}

async function openssh(server: TestSshd, dir: string, root: string): Promise<void> {
  const common = [
    "-i",
    server.clientKey,
    "-o",
    `UserKnownHostsFile=${server.knownHosts}`,
    "-o",
    "BatchMode=yes",
  ];
  const scp = await new Deno.Command("scp", {
    args: [
      "-q",
      "-P",
      String(server.port),
      ...common,
      `${dir}/payload.bin`,
      `${TEST_USER}@127.0.0.1:${root}.payload`,
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  if (!scp.success) throw new Error("scp failed");
  const child = new Deno.Command("ssh", {
    args: ["-p", String(server.port), ...common, `${TEST_USER}@127.0.0.1`, "sh -s"],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(FLOOR(root)));
  await writer.close();
  if (!(await child.status).success) throw new Error("ssh script failed");
}

/** Runs the workload on `count` hosts and prints the comparison. */
export async function benchDeploy(count: number): Promise<void> {
  const servers: TestSshd[] = [];
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-deploy-" });
  await Deno.chmod(dir, 0o777);
  try {
    for (let i = 0; i < count; i++) {
      servers.push(
        await startSshd({
          authorize: i === 0 ? [] : [await Deno.readTextFile(`${servers[0].clientKey}.pub`)],
        }),
      );
    }
    const known = servers.map((s) => Deno.readTextFileSync(s.knownHosts)).join("");
    await Deno.writeTextFile(`${dir}/known_hosts`, known);
    await Deno.writeFile(
      `${dir}/payload.bin`,
      crypto.getRandomValues(new Uint8Array(65536)).map((b, i) => b ^ i),
    );
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
    const inventory = await loadInventory([`${dir}/fleet.yml`], {
      registry: builtinRegistry(),
      cwd: dir,
      env: () => undefined,
      runProcess,
    });
    let changed = [0, 0];
    const run = (index: number) =>
      runDeploys({
        inventory,
        deployPaths: [`${dir}/bench.ts`],
        cliArguments: {},
        dryRun: false,
        wantDiff: false,
        parallel: Math.min(count, 64),
        context: { runProcess },
        emit: (event) => {
          if (event.type === "op-result" && event.changed) changed[index]++;
          if (event.type === "host-done" && !event.ok) {
            throw new Error(`${event.host}: ${event.error}`);
          }
        },
      });
    const first = await measure(servers, () => run(0));
    const second = await measure(servers, () => run(1));
    const floor = await measure(
      servers,
      () => Promise.all(servers.map((s, i) => openssh(s, dir, `${dir}/floor-h${i}`))),
    );
    const floor2 = await measure(
      servers,
      () => Promise.all(servers.map((s, i) => openssh(s, dir, `${dir}/floor-h${i}`))),
    );
    const row = (label: string, m: Measure) =>
      `${label.padEnd(22)} wall ${m.wall.toFixed(0).padStart(6)} ms  controller CPU ${
        m.controllerCpu.toFixed(0).padStart(6)
      } ms  server CPU ${m.serverCpu.toFixed(0).padStart(6)} ms`;
    console.log(`== ${count} host(s)`);
    console.log(row("skiff, first run", first), ` (${changed[0]} changes)`);
    console.log(row("skiff, second run", second), ` (${changed[1]} changes)`);
    console.log(row("OpenSSH floor", floor));
    console.log(row("OpenSSH floor again", floor2));
    const total = (m: Measure) => m.controllerCpu + m.serverCpu;
    console.log(
      `ratios vs floor: wall ${(first.wall / floor.wall).toFixed(2)}, total CPU ${
        (total(first) / total(floor)).toFixed(2)
      }; ` +
        `second/first wall ${(second.wall / first.wall).toFixed(2)}; peak memory ${
          peakRssMiB().toFixed(0)
        } MiB`,
    );
    changed = [0, 0];
  } finally {
    for (const server of servers) await server[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const counts = Deno.args.length > 0 ? Deno.args.map(Number) : [1, 8, 32];
  for (const count of counts) await benchDeploy(count);
}
