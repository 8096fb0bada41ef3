/**
 * `skiff doctor`: version, Deno version, the permission set skiff was built
 * with and what Deno actually granted, where skiff looks for SSH config,
 * known_hosts and keys, whether an SSH agent is reachable, which programs
 * from the run allow list are installed, and what deploys may reach.
 *
 * @module
 */

import { flagName, PERMISSION_FLAGS } from "../build/permissions.ts";
import { LOCAL_PATH_POLICY } from "../operations/local_paths.ts";
import type { ProcessRunner } from "../process.ts";
import type { CliIo } from "../report/io.ts";

/** What doctor found. */
export interface DoctorReport {
  version: string;
  deno: string;
  permissions: { flag: string; granted: boolean }[];
  ssh: {
    config: { path: string; exists: boolean };
    knownHosts: { path: string; exists: boolean };
    keys: { path: string; exists: boolean }[];
    agent: { socket: string | null; reachable: boolean; error?: string };
  };
  programs: Record<string, string | null>;
  /** What deploy code and its operations may reach on this machine. */
  sandbox: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function granted(flag: string): Promise<boolean> {
  const name = flagName(flag);
  const values = flag.includes("=") ? flag.slice(flag.indexOf("=") + 1).split(",") : [undefined];
  const kind = name.replace(/^--allow-/, "");
  const descriptors: Deno.PermissionDescriptor[] = values.map((value) => {
    switch (kind) {
      case "run":
        return { name: "run", command: value };
      case "env":
        return { name: "env", variable: value };
      case "sys":
        return { name: "sys", kind: value as Deno.SysPermissionDescriptor["kind"] };
      case "read":
        return { name: "read", path: value };
      case "write":
        return { name: "write", path: value };
      case "net":
        return { name: "net", host: value };
      default:
        return { name: "read" };
    }
  });
  if (!name.startsWith("--allow-")) return true; // --ignore-env, --no-prompt shape behaviour, not grants
  const states = await Promise.all(descriptors.map((d) => Deno.permissions.query(d)));
  return states.every((state) => state.state === "granted");
}

/** Gathers the report. */
export async function doctorReport(
  version: string,
  io: CliIo,
  runProcess: ProcessRunner,
): Promise<DoctorReport> {
  const home = io.env("HOME") ?? "~";
  const socket = io.env("SSH_AUTH_SOCK") ?? null;
  let agent: DoctorReport["ssh"]["agent"] = { socket, reachable: false };
  if (socket) {
    try {
      const conn = await Deno.connect({ transport: "unix", path: socket });
      conn.close();
      agent = { socket, reachable: true };
    } catch (error) {
      agent = { socket, reachable: false, error: (error as Error).message };
    }
  }
  const runFlag = PERMISSION_FLAGS.find((flag) => flag.startsWith("--allow-run="));
  const programs: Record<string, string | null> = {};
  for (const program of runFlag ? runFlag.slice("--allow-run=".length).split(",") : []) {
    const result = await runProcess(["sh", "-c", `command -v ${program}`]);
    programs[program] = result.exitCode === 0 ? result.output.stdout.trim() : null;
  }
  return {
    version,
    deno: `${Deno.version.deno} (v8 ${Deno.version.v8}, typescript ${Deno.version.typescript})`,
    permissions: await Promise.all(
      PERMISSION_FLAGS.map(async (flag) => ({ flag, granted: await granted(flag) })),
    ),
    ssh: {
      config: { path: `${home}/.ssh/config`, exists: await exists(`${home}/.ssh/config`) },
      knownHosts: {
        path: `${home}/.ssh/known_hosts`,
        exists: await exists(`${home}/.ssh/known_hosts`),
      },
      keys: await Promise.all(
        ["id_ed25519", "id_rsa", "id_ecdsa"].map(async (name) => ({
          path: `${home}/.ssh/${name}`,
          exists: await exists(`${home}/.ssh/${name}`),
        })),
      ),
      agent,
    },
    programs,
    sandbox: LOCAL_PATH_POLICY,
  };
}

/** Prints the report as text or JSON. */
export function printDoctor(report: DoctorReport, json: boolean, io: CliIo): void {
  if (json) {
    io.out(JSON.stringify(report, null, 2) + "\n");
    return;
  }
  const mark = (ok: boolean) => ok ? "ok" : "missing";
  const lines = [
    `skiff ${report.version}`,
    `deno ${report.deno}`,
    "permissions (lib/build/permissions.flags):",
    ...report.permissions.map((p) => `  ${p.flag}  ${p.granted ? "granted" : "NOT granted"}`),
    "ssh:",
    `  config       ${report.ssh.config.path} (${mark(report.ssh.config.exists)})`,
    `  known_hosts  ${report.ssh.knownHosts.path} (${mark(report.ssh.knownHosts.exists)})`,
    ...report.ssh.keys.map((k) => `  key          ${k.path} (${mark(k.exists)})`),
    `  agent        ${
      report.ssh.agent.socket === null
        ? "SSH_AUTH_SOCK is not set"
        : report.ssh.agent.reachable
        ? `reachable at ${report.ssh.agent.socket}`
        : `not reachable at ${report.ssh.agent.socket}: ${report.ssh.agent.error}`
    }`,
    "programs:",
    ...Object.entries(report.programs).map(([name, path]) =>
      `  ${name.padEnd(8)} ${path ?? "not installed"}`
    ),
    'deploy sandbox (README "Deploys run sandboxed"):',
    ...report.sandbox.map((line) => `  ${line}`),
  ];
  io.out(lines.join("\n") + "\n");
}
