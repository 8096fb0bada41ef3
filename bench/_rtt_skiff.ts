/**
 * skiff's side of `rtt_bench.ts`: the deploy workload through the CLI, each
 * phase timed by when its `--json` events arrive, and 200 commands over one
 * connection in this process.
 *
 * @module
 */

import { SshConnector } from "../connectors/ssh/connector.ts";
import { RUN_FLAGS } from "../lib/build/permissions.ts";
import { runProcess } from "../lib/process.ts";
import { sshHostData } from "../tests/helpers/sshd.ts";
import type { Phases, RttTarget } from "./rtt_bench.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** The workload of `deploy_bench.ts`, with log lines that mark the facts. */
const DEPLOY = `export default async function ({ ops, facts, host, log }) {
  const root = String(host.data.bench_root);
  await ops.server.shell(Array.from({ length: 20 }, (_, i) => "echo step " + i + " > /dev/null"));
  await ops.files.directory(root, { mode: "755" });
  await ops.files.put("payload.bin", root + "/payload.bin");
  await ops.files.line(root + "/app.conf", "workers=4", { match: /^workers=/, create: true });
  await ops.files.template("motd.j2", root + "/motd", { data: { greeting: "hello" } });
  log("bench:facts");
  await Promise.all([facts.server.hostname(), facts.server.os(), facts.server.users()]);
  log("bench:end");
}
`;

/** Names of the operations' phases, in the deploy's order. */
const OPERATIONS: Record<string, string> = {
  "server.shell": "server.shell (20 commands)",
  "files.directory": "files.directory",
  "files.put": "files.put 1 MiB",
  "files.line": "files.line (creates)",
  "files.template": "files.template (creates)",
};

/** Runs the CLI; returns each stdout line with when it arrived, and the process's wall time. */
async function timedCli(
  argv: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<
  { started: number; ended: number; lines: { at: number; event: Record<string, unknown> }[] }
> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: argv,
    cwd: options.cwd,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: { at: number; event: Record<string, unknown> }[] = [];
  const stderr = new Response(child.stderr).text();
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    const at = performance.now();
    const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = parts.pop()!;
    for (const part of parts) if (part.trim()) lines.push({ at, event: JSON.parse(part) });
  }
  const status = await child.status;
  const ended = performance.now();
  if (!status.success) {
    const errors = lines.flatMap((l) => typeof l.event.error === "string" ? [l.event.error] : []);
    throw new Error(`skiff failed: ${await stderr} ${errors.join("; ")}`);
  }
  return { started, ended, lines };
}

/** Splits one CLI run into phases: connect, each operation, facts, the end. */
function phasesOf(
  run: Awaited<ReturnType<typeof timedCli>>,
  prefix: string,
): Phases {
  const find = (test: (e: Record<string, unknown>) => boolean) => {
    const line = run.lines.find((l) => test(l.event));
    if (!line) throw new Error(`no such event in ${run.lines.map((l) => l.event.type)}`);
    return line.at;
  };
  const connected = run.lines.find((l) => l.event.type === "host-connected");
  if (!connected) throw new Error("no host-connected event");
  const connectStart = connected.at - Number(connected.event.seconds) * 1000;
  const phases: Phases = {};
  phases[`${prefix}connect, lock`] = {
    start: connectStart,
    end: find((e) => e.type === "op-start"),
  };
  for (const [op, label] of Object.entries(OPERATIONS)) {
    phases[`${prefix}${label}`] = {
      start: find((e) => e.type === "op-start" && e.op === op),
      end: find((e) => e.type === "op-result" && e.op === op),
    };
  }
  const facts = find((e) => e.type === "log" && e.message === "bench:facts");
  const done = find((e) => e.type === "log" && e.message === "bench:end");
  phases[`${prefix}3 facts (Promise.all)`] = { start: facts, end: done };
  phases[`${prefix}disconnect, exit`] = { start: done, end: run.ended };
  phases[`${prefix}whole run`] = { start: run.started, end: run.ended };
  return phases;
}

/** The deploy workload, run twice (the second changes nothing but the shell). */
export async function skiffPhases(target: RttTarget, run: number): Promise<Phases> {
  const { dir } = target;
  const work = `${dir}/skiff-${run}`;
  await Deno.mkdir(work, { recursive: true });
  await Deno.chmod(work, 0o777);
  const big = new Uint8Array(1024 * 1024);
  for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
  await Deno.writeFile(`${work}/payload.bin`, big);
  await Deno.writeTextFile(`${work}/motd.j2`, "{{ greeting }} from {{ host.name }}\n");
  await Deno.writeTextFile(`${work}/bench.ts`, DEPLOY);
  const data = {
    ...sshHostData(target.sshd),
    ssh_port: target.proxy.port,
    ssh_known_hosts_file: target.knownHosts,
    bench_root: `${work}/root`,
  };
  await Deno.writeTextFile(
    `${work}/fleet.yml`,
    `fleet:\n  hosts:\n    h0: ${JSON.stringify(data)}\n`,
  );
  const argv = [
    "run",
    "--quiet",
    ...RUN_FLAGS,
    MAIN,
    "deploy",
    `${work}/fleet.yml`,
    `${work}/bench.ts`,
    "-y",
    "--json",
  ];
  const env = { NO_COLOR: "1", SKIFF_RUN_LOCK: `${dir}/run.lock` };
  const first = phasesOf(await timedCli(argv, { cwd: work, env }), "");
  const second = phasesOf(await timedCli(argv, { cwd: work, env }), "second run: ");
  return { ...first, ...second };
}

/** Connects, runs `count` commands one after another in the persistent shell, disconnects. */
export async function skiffCommands(target: RttTarget, count: number): Promise<Phases> {
  const connector = new SshConnector({
    name: "bench",
    data: {
      ...sshHostData(target.sshd),
      ssh_port: target.proxy.port,
      ssh_known_hosts_file: target.knownHosts,
    },
    groups: [],
  }, { runProcess });
  const started = performance.now();
  await connector.connect();
  await connector.runShellCommand("true", { sharedShell: true });
  const ready = performance.now();
  for (let i = 0; i < count; i++) {
    const result = await connector.runShellCommand("true");
    if (!result.success) throw new Error(`command ${i} failed: ${result.error}`);
  }
  const ran = performance.now();
  await connector.disconnect();
  return {
    "connect, first command": { start: started, end: ready },
    [`${count} commands`]: { start: ready, end: ran },
    "per command": { start: ready, end: ran, per: count },
  };
}
