/**
 * skiff's @ssh connector against plain OpenSSH on a loopback sshd:
 * 200 short commands (skiff's persistent shell, skiff with a channel per
 * command, `ssh` with ControlMaster) and a 50 MiB transfer each way
 * (SFTP through skiff, `scp`). Prints times and ratios.
 *
 * @module
 */

import { SshConnector } from "../connectors/ssh/connector.ts";
import { runProcess } from "../lib/process.ts";
import { startSshd, TEST_USER, type TestSshd } from "../tests/helpers/sshd.ts";

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function sshArgs(sshd: TestSshd, control: string): string[] {
  return [
    "-i",
    sshd.clientKey,
    "-p",
    String(sshd.port),
    "-o",
    `UserKnownHostsFile=${sshd.knownHosts}`,
    "-o",
    "BatchMode=yes",
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${control}`,
    "-o",
    "ControlPersist=60",
  ];
}

async function sh(argv: string[]): Promise<void> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** Runs the benchmark and returns the ratios. */
export async function benchSsh(commands = 200, mebibytes = 50): Promise<Record<string, number>> {
  await using sshd = await startSshd();
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-ssh-" });
  await Deno.chmod(dir, 0o777);
  try {
    const make = (persistent: boolean) =>
      new SshConnector({
        name: "bench",
        data: {
          ssh_hostname: "127.0.0.1",
          ssh_port: sshd.port,
          ssh_user: TEST_USER,
          ssh_key: sshd.clientKey,
          ssh_known_hosts_file: sshd.knownHosts,
          ssh_config_file: "/dev/null",
          ssh_allow_agent: false,
          ssh_persistent_shell: persistent,
        },
        groups: [],
      }, { runProcess });
    const results: Record<string, number> = {};
    const shell = make(true);
    await shell.connect();
    results.skiffShell = await timed(async () => {
      for (let i = 0; i < commands; i++) await shell.runShellCommand("true");
    });
    const channels = make(false);
    await channels.connect();
    results.skiffChannels = await timed(async () => {
      for (let i = 0; i < commands; i++) await channels.runShellCommand("true");
    });
    await channels.disconnect();
    const control = `${dir}/cm`;
    const base = sshArgs(sshd, control);
    await sh(["ssh", ...base, `${TEST_USER}@127.0.0.1`, "true"]);
    results.openssh = await timed(async () => {
      for (let i = 0; i < commands; i++) {
        await sh(["ssh", ...base, `${TEST_USER}@127.0.0.1`, "true"]);
      }
    });
    const file = `${dir}/payload.bin`;
    await sh(["dd", "if=/dev/urandom", `of=${file}`, "bs=1M", `count=${mebibytes}`, "status=none"]);
    results.skiffUpload = await timed(() => shell.putFile(file, `${dir}/up-skiff.bin`));
    results.skiffDownload = await timed(() =>
      shell.getFile(`${dir}/up-skiff.bin`, `${dir}/down-skiff.bin`)
    );
    const scp = [
      "-i",
      sshd.clientKey,
      "-P",
      String(sshd.port),
      "-o",
      `UserKnownHostsFile=${sshd.knownHosts}`,
      "-o",
      "BatchMode=yes",
    ];
    results.scpUpload = await timed(() =>
      sh(["scp", "-q", ...scp, file, `${TEST_USER}@127.0.0.1:${dir}/up-scp.bin`])
    );
    results.scpDownload = await timed(() =>
      sh(["scp", "-q", ...scp, `${TEST_USER}@127.0.0.1:${dir}/up-scp.bin`, `${dir}/down-scp.bin`])
    );
    await shell.disconnect();
    await sh(["ssh", ...base, "-O", "exit", `${TEST_USER}@127.0.0.1`]).catch(() => {});
    const ratios = {
      commandsShellVsControlMaster: results.skiffShell / results.openssh,
      commandsChannelsVsControlMaster: results.skiffChannels / results.openssh,
      uploadVsScp: results.skiffUpload / results.scpUpload,
      downloadVsScp: results.skiffDownload / results.scpDownload,
    };
    console.log(
      `${commands} commands: skiff persistent shell ${
        results.skiffShell.toFixed(0)
      } ms, skiff channel each ${results.skiffChannels.toFixed(0)} ms, ssh ControlMaster ${
        results.openssh.toFixed(0)
      } ms`,
    );
    console.log(
      `${mebibytes} MiB: skiff up ${results.skiffUpload.toFixed(0)} ms / down ${
        results.skiffDownload.toFixed(0)
      } ms, scp up ${results.scpUpload.toFixed(0)} ms / down ${results.scpDownload.toFixed(0)} ms`,
    );
    for (const [name, ratio] of Object.entries(ratios)) {
      console.log(`ratio ${name}: ${ratio.toFixed(2)}`);
    }
    return ratios;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await benchSsh();
