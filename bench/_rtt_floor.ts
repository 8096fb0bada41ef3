/**
 * The OpenSSH floor of `rtt_bench.ts`: the same work as skiff's, per
 * operation one `ssh` (or `scp`) through a ControlMaster, and in all one
 * `scp` and one script over one `ssh`, as `deploy_bench.ts` does it.
 *
 * @module
 */

import { TEST_USER } from "../tests/helpers/sshd.ts";
import type { Phases, RttTarget, Window } from "./rtt_bench.ts";

const DESTINATION = `${TEST_USER}@127.0.0.1`;

/** The workload as one script (the deploy's `files.*` done the shell's way). */
function script(root: string): Record<string, string> {
  return {
    "server.shell (20 commands)": `for i in $(seq 0 19); do echo "step $i" > /dev/null; done`,
    "files.directory": `mkdir -p ${root} && chmod 755 ${root}`,
    "files.line (creates)":
      `grep -qx 'workers=4' ${root}/app.conf 2>/dev/null || echo workers=4 >> ${root}/app.conf`,
    "files.template (creates)": `printf '%s\\n' 'hello from host' > ${root}/motd`,
    "3 facts (Promise.all)":
      `uname -n >/dev/null; cat /etc/os-release >/dev/null; cat /etc/passwd /etc/group >/dev/null`,
  };
}

function common(target: RttTarget, control?: string): string[] {
  return [
    "-F",
    "/dev/null",
    "-i",
    target.sshd.clientKey,
    "-o",
    `UserKnownHostsFile=${target.knownHosts}`,
    "-o",
    "BatchMode=yes",
    ...(control ? ["-o", `ControlPath=${control}`] : []),
  ];
}

/** Runs `argv` (with `stdin`); returns when it started and ended. */
async function timed(argv: string[], stdin?: string): Promise<Window> {
  const started = performance.now();
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const ended = performance.now();
  if (!out.success) {
    throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return { start: started, end: ended };
}

/** The whole workload in one `scp` and one `ssh` running one script. */
async function oneScript(target: RttTarget, root: string, payload: string): Promise<Window> {
  const port = String(target.proxy.port);
  const text = ["set -e", ...Object.values(script(root))].join("\n") + "\n";
  const started = performance.now();
  await timed(["scp", "-q", "-P", port, ...common(target), payload, `${DESTINATION}:${root}.bin`]);
  await timed(["ssh", "-p", port, ...common(target), DESTINATION, "sh -s"], text);
  return { start: started, end: performance.now() };
}

/** Starts a ControlMaster that later `ssh` runs share: the connect as OpenSSH pays it. */
function startMaster(ssh: string[]): Promise<Window> {
  return timed([...ssh, "-o", "ControlMaster=yes", "-o", "ControlPersist=60", DESTINATION, "true"]);
}

/** Each operation as one command through a ControlMaster, then the whole workload twice in one script. */
export async function floorPhases(target: RttTarget, run: number): Promise<Phases> {
  const work = `${target.dir}/floor-${run}`;
  await Deno.mkdir(work, { recursive: true });
  await Deno.chmod(work, 0o777);
  const payload = `${work}/payload.bin`;
  const big = new Uint8Array(1024 * 1024);
  for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
  await Deno.writeFile(payload, big);
  const port = String(target.proxy.port);
  const control = `${work}/cm`;
  const ssh = ["ssh", "-p", port, ...common(target, control)];
  const phases: Phases = {};
  phases["connect, lock"] = await startMaster(ssh);
  const root = `${work}/root`;
  const steps = script(root);
  for (const [phase, text] of Object.entries(steps)) {
    if (phase === "files.line (creates)") {
      phases["files.put 1 MiB"] = await timed([
        "scp",
        "-q",
        "-P",
        port,
        ...common(target, control),
        payload,
        `${DESTINATION}:${root}/payload.bin`,
      ]);
    }
    phases[phase] = await timed([...ssh, DESTINATION, text]);
  }
  phases["disconnect, exit"] = await timed([...ssh, "-O", "exit", DESTINATION]);
  phases["whole run"] = await oneScript(target, `${work}/script`, payload);
  phases["second run: whole run"] = await oneScript(target, `${work}/script`, payload);
  return phases;
}

/** `count` commands one after another, each an `ssh` through a ControlMaster. */
export async function floorCommands(target: RttTarget, count: number): Promise<Phases> {
  // A path of its own per run: an old master may still be removing its socket.
  const control = `${target.dir}/cm-commands-${target.proxy.port}`;
  const ssh = ["ssh", "-p", String(target.proxy.port), ...common(target, control)];
  const ready = await startMaster(ssh);
  const started = performance.now();
  for (let i = 0; i < count; i++) await timed([...ssh, DESTINATION, "true"]);
  const ran = { start: started, end: performance.now() };
  await timed([...ssh, "-O", "exit", DESTINATION]).catch(() => {});
  return {
    "connect, first command": ready,
    [`${count} commands`]: ran,
    "per command": { ...ran, per: count },
  };
}
