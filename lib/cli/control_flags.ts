/**
 * The control-argument flags shared by `exec`, `deploy` and `facts`.
 *
 * @module
 */

import type { Command } from "@commander-js/extra-typings";
import { type ControlArguments, validateControlArguments } from "../core/arguments.ts";
import { InputError } from "../core/errors.ts";
import { parsePairs } from "./data_flags.ts";

/** The parsed values of the control flags. */
export interface ControlFlagValues {
  sudo?: boolean;
  sudoUser?: string;
  suUser?: string;
  doas?: boolean;
  doasUser?: string;
  privilegeChain?: string;
  chdir?: string;
  env?: string[];
  timeout?: string;
  shell?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Adds `--sudo`, `--sudo-user`, `--su-user`, `--doas`, `--doas-user`,
 * `--privilege-chain`, `--chdir`, `--env`, `--timeout`, `--shell`.
 */
// deno-lint-ignore no-explicit-any
export function addControlFlags<C extends Command<any, any, any>>(command: C): C {
  command
    .option("--sudo", "run commands with sudo")
    .option("--sudo-user <user>", "sudo to this user (implies --sudo)")
    .option("--su-user <user>", "su to this user")
    .option("--doas", "run commands with doas")
    .option("--doas-user <user>", "doas to this user (implies --doas)")
    .option(
      "--privilege-chain <methods>",
      "nest privilege methods, outer to inner (e.g. doas,sudo,su as pyinfra stacks them)",
    )
    .option("--chdir <dir>", "run commands in this directory")
    .option("--env <K=V>", "set an environment variable (repeatable)", collect)
    .option("--timeout <seconds>", "kill a command after this many seconds")
    .option("--shell <shell>", "shell that wraps commands (default sh)");
  return command;
}

/** Turns the flags into validated control arguments (the CLI layer). */
export function controlArgumentsFromFlags(flags: ControlFlagValues): ControlArguments {
  const args: Record<string, unknown> = {};
  if (flags.sudo || flags.sudoUser) args._sudo = true;
  if (flags.sudoUser) args._sudo_user = flags.sudoUser;
  if (flags.suUser) args._su_user = flags.suUser;
  if (flags.doas || flags.doasUser) args._doas = true;
  if (flags.doasUser) args._doas_user = flags.doasUser;
  if (flags.privilegeChain !== undefined) {
    args._privilege_chain = flags.privilegeChain.split(",").map((m) => m.trim()).filter(Boolean);
  }
  if (flags.chdir) args._chdir = flags.chdir;
  if (flags.env?.length) args._env = parsePairs(flags.env, "--env", false);
  if (flags.shell) args._shell_executable = flags.shell;
  if (flags.timeout !== undefined) {
    const seconds = Number(flags.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new InputError(
        `--timeout: expected a positive number of seconds, got ${JSON.stringify(flags.timeout)}`,
      );
    }
    args._timeout = seconds;
  }
  return validateControlArguments(args, "command line");
}
