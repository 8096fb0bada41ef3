/**
 * SSH shorthands on `exec`, `deploy` and `facts`: `--user`, `--port`,
 * `--key`, `--password` (no value: it prompts without echo, so the password
 * is never in argv) and `--known-hosts`, mapped onto the `ssh_*` data keys.
 * An explicit `--data ssh_…=…` wins over them.
 *
 * @module
 */

import type { Command, OptionValues } from "@commander-js/extra-typings";
import { InputError } from "../core/errors.ts";
import type { CliIo } from "../report/io.ts";

/** The flags as commander parses them. */
export interface SshFlagValues {
  user?: string;
  port?: string;
  key?: string;
  password?: boolean;
  knownHosts?: string;
}

/** Adds the SSH shorthands to `command`. */
export function addSshFlags<
  Args extends unknown[],
  Opts extends OptionValues,
  Globals extends OptionValues,
>(command: Command<Args, Opts, Globals>) {
  return command
    .option("--user <name>", "SSH user (data ssh_user)")
    .option("--port <n>", "SSH port (data ssh_port)")
    .option("--key <file>", "SSH private key file (data ssh_key)")
    .option("--password", "ask for the SSH password without echo (data ssh_password)")
    .option("--known-hosts <file>", "known_hosts file (data ssh_known_hosts_file)");
}

/**
 * The `ssh_*` data the shorthands give, asking for the password on the
 * terminal for `--password`; `data` (from `--data`) wins key by key.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { sshFlagData } from "./ssh_flags.ts";
 * const io = { prompt: () => Promise.resolve("hunter2") };
 * deepStrictEqual(
 *   await sshFlagData({ user: "deploy", port: "2222", password: true }, { data: { ssh_user: "root" }, io }),
 *   { ssh_user: "root", ssh_port: 2222, ssh_password: "hunter2" },
 * );
 * ```
 */
export async function sshFlagData(
  flags: SshFlagValues,
  { data, io }: { data: Readonly<Record<string, unknown>>; io: Pick<CliIo, "prompt"> },
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (flags.user !== undefined) out.ssh_user = flags.user;
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InputError(`--port: expected a port from 1 to 65535, got "${flags.port}"`);
    }
    out.ssh_port = port;
  }
  if (flags.key !== undefined) out.ssh_key = flags.key;
  if (flags.knownHosts !== undefined) out.ssh_known_hosts_file = flags.knownHosts;
  if (flags.password && data.ssh_password === undefined) {
    const answer = io.prompt ? await io.prompt("SSH password: ", { secret: true }) : null;
    if (answer === null) {
      throw new InputError(
        "--password needs a terminal to ask on: pass --data ssh_password=… from a secret instead",
      );
    }
    out.ssh_password = answer;
  }
  return { ...out, ...data };
}
