/**
 * Large files (issue 16, item 3): `files.put` and `files.get` of one file
 * (1 GiB by default) over `@local`, `@ssh` (SFTP) and `@ssh` with `_sudo`,
 * each run as an operator runs it (the CLI with the binary's flags, a
 * process of its own), against the plain tool doing the same copy: `cp`,
 * `scp`, and `ssh … sudo sh -c 'cat > …'`. Prints wall time, throughput
 * against the tool, and skiff's peak resident memory (VmHWM) against an idle
 * run of the same deploy with a 1 KiB file.
 *
 * Targets: @ssh ≥ 0.8x `scp` throughput and peak ≤ idle + 32 MiB; @local
 * ≥ 0.5x `cp`. `deno task bench:large [MiB] [TARGET]` (TARGET: `@local`, `@ssh`
 * or `@ssh _sudo`; all three by default).
 *
 * @module
 */

import { type MeasuredRun, measureSkiff } from "../tests/helpers/peak_rss.ts";
import { startSshd, TEST_USER, type TestSshd } from "../tests/helpers/sshd.ts";

/** One measured case and its floor. */
export interface LargeFileResult {
  /** What was moved where. */
  name: string;
  /** skiff's wall time, seconds. */
  seconds: number;
  /** The plain tool's wall time, seconds. */
  floorSeconds: number;
  /** skiff's peak resident memory, MiB. */
  peakMiB: number;
  /** The same deploy moving 1 KiB, MiB. */
  idleMiB: number;
  /** The same deploy moving 1 KiB, seconds. */
  idleSeconds: number;
}

async function run(argv: string[], input?: string): Promise<void> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: input === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const file = await Deno.open(input);
    await file.readable.pipeTo(out.stdin);
  }
  const status = await out.output();
  if (!status.success) {
    throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(status.stderr)}`);
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

async function sha256File(path: string): Promise<string> {
  const out = await new Deno.Command("sha256sum", { args: [path], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split(" ")[0];
}

function sshOptions(sshd: TestSshd, port: "-p" | "-P"): string[] {
  return [
    "-i",
    sshd.clientKey,
    port,
    String(sshd.port),
    "-o",
    `UserKnownHostsFile=${sshd.knownHosts}`,
    "-o",
    "BatchMode=yes",
  ];
}

interface Target {
  /** The CLI's target and data arguments. */
  args: string[];
  /** Control arguments for the operations, as TypeScript source. */
  control: string;
}

async function measureDeploy(
  dir: string,
  target: Target,
  body: string,
): Promise<MeasuredRun> {
  const deploy = `${dir}/deploy-${crypto.randomUUID()}.ts`;
  await Deno.writeTextFile(deploy, `export default async ({ ops }) => {\n${body}\n};\n`);
  try {
    const measured = await measureSkiff([
      "deploy",
      ...target.args,
      deploy,
      "-y",
      "--allow-write",
      dir,
    ]);
    if (measured.code !== 0) {
      throw new Error(`skiff exited ${measured.code}:\n${measured.stdout}\n${measured.stderr}`);
    }
    return measured;
  } finally {
    await Deno.remove(deploy);
  }
}

/**
 * Measures put and get of a `mib` MiB file on each target; returns the
 * results after printing them.
 */
export async function benchLargeFiles(mib = 1024, only?: string): Promise<LargeFileResult[]> {
  await using sshd = await startSshd();
  const sudoers = `/etc/sudoers.d/skiff-bench-${Deno.pid}`;
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-large-" });
  await Deno.chmod(dir, 0o777);
  const results: LargeFileResult[] = [];
  try {
    const source = `${dir}/source.bin`;
    await run(["dd", "if=/dev/urandom", `of=${source}`, "bs=1M", `count=${mib}`, "status=none"]);
    await Deno.chmod(source, 0o644);
    await Deno.writeFile(`${dir}/small.bin`, new Uint8Array(1024).fill(1));
    const want = await sha256File(source);
    const ssh = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
    const data = [
      "--data",
      `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts},ssh_allow_agent=false,ssh_config_file=/dev/null`,
    ];
    const remote = `${TEST_USER}@127.0.0.1`;
    const targets: Record<string, Target> = {
      "@local": { args: ["@local"], control: "{}" },
      "@ssh": { args: [ssh, ...data], control: "{}" },
      "@ssh _sudo": { args: [ssh, ...data], control: "{ _sudo: true }" },
    };
    const floors: Record<
      string,
      {
        put: (to: string) => string[];
        get: (from: string, to: string) => string[];
        stdin?: boolean;
      }
    > = {
      "@local": {
        put: (to) => ["cp", source, to],
        get: (from, to) => ["cp", from, to],
      },
      "@ssh": {
        put: (to) => ["scp", "-q", ...sshOptions(sshd, "-P"), source, `${remote}:${to}`],
        get: (from, to) => ["scp", "-q", ...sshOptions(sshd, "-P"), `${remote}:${from}`, to],
      },
      "@ssh _sudo": {
        put: (to) => ["ssh", ...sshOptions(sshd, "-p"), remote, `sudo sh -c 'cat > ${to}'`],
        get: (from, to) => [
          "sh",
          "-c",
          `ssh ${sshOptions(sshd, "-p").join(" ")} ${remote} 'sudo cat ${from}' > ${to}`,
        ],
        stdin: true,
      },
    };
    for (const [name, target] of Object.entries(targets)) {
      if (only !== undefined && name !== only) continue;
      const floor = floors[name];
      const put = (from: string, to: string) =>
        `  await ops.files.put(${JSON.stringify(from)}, ${
          JSON.stringify(to)
        }, {}, ${target.control});`;
      const get = (from: string, to: string) =>
        `  await ops.files.get(${JSON.stringify(from)}, ${JSON.stringify(to)}, ${target.control});`;
      const idlePut = await measureDeploy(dir, target, put("small.bin", `${dir}/idle.bin`));
      const idleGet = await measureDeploy(
        dir,
        target,
        get(`${dir}/idle.bin`, `${dir}/idle-back.bin`),
      );
      await Deno.remove(`${dir}/idle.bin`);
      await Deno.remove(`${dir}/idle-back.bin`);

      const putTo = `${dir}/put.bin`;
      const skiffPut = await measureDeploy(dir, target, put("source.bin", putTo));
      if (await sha256File(putTo) !== want) throw new Error(`${name}: the put changed the bytes`);
      const getTo = `${dir}/got.bin`;
      const skiffGet = await measureDeploy(dir, target, get(putTo, getTo));
      if (await sha256File(getTo) !== want) throw new Error(`${name}: the get changed the bytes`);
      await Deno.remove(putTo);
      await Deno.remove(getTo);

      const floorPut = await timed(() => run(floor.put(putTo), floor.stdin ? source : undefined));
      const floorGet = await timed(() => run(floor.get(putTo, getTo)));
      if (await sha256File(getTo) !== want) throw new Error(`${name}: the floor changed the bytes`);
      await Deno.remove(putTo);
      await Deno.remove(getTo);
      const tool = floor.put("x")[0] === "cp" ? "cp" : floor.stdin ? "ssh sudo cat" : "scp";
      for (
        const [verb, skiff, floorSeconds, idle] of [
          ["put", skiffPut, floorPut, idlePut],
          ["get", skiffGet, floorGet, idleGet],
        ] as const
      ) {
        const result = {
          name: `${name} files.${verb} ${mib} MiB`,
          seconds: skiff.seconds,
          floorSeconds,
          peakMiB: skiff.peakMiB,
          idleMiB: idle.peakMiB,
          idleSeconds: idle.seconds,
        };
        results.push(result);
        const ratio = floorSeconds / skiff.seconds;
        // The same deploy moving 1 KiB: Deno's start-up, the sandbox, connecting.
        const net = floorSeconds / Math.max(skiff.seconds - idle.seconds, 0.001);
        const growth = skiff.peakMiB - idle.peakMiB;
        const speedTarget = tool === "cp" ? 0.5 : 0.8;
        const met = (ok: boolean) => ok ? "met" : "not met";
        console.log(
          `${result.name.padEnd(32)} skiff ${skiff.seconds.toFixed(1)} s, ${tool} ${
            floorSeconds.toFixed(1)
          } s: throughput ${ratio.toFixed(2)}x (target ${speedTarget}x: ${
            met(ratio >= speedTarget)
          }; ${net.toFixed(2)}x without the ${idle.seconds.toFixed(1)} s of a 1 KiB run); peak ${
            skiff.peakMiB.toFixed(0)
          } MiB, idle ${idle.peakMiB.toFixed(0)}, +${growth.toFixed(0)} (target +32: ${
            met(growth <= 32)
          })`,
        );
      }
    }
    return results;
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(sudoers).catch(() => {});
  }
}

if (import.meta.main) await benchLargeFiles(Number(Deno.args[0] ?? 1024), Deno.args[1]);
