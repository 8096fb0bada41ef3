/**
 * `makeUnixCommand`: the one pure function that wraps a command with its
 * environment, working directory, shell and privileges.
 *
 * Stacking order follows pyinfra: `doas` outermost, then `sudo`, then `su`;
 * inside them `SHELL -c '<cd DIR && export K=V && command>'`. Unlike pyinfra,
 * environment values, the directory and user names are quoted.
 *
 * @module
 */

import type { CommandArguments } from "./arguments.ts";
import {
  Command,
  quote,
  RawValue,
  SECRET_ENV_PREFIX,
  SecretValue,
  sh,
  toCommand,
} from "./command.ts";
import { InputError } from "./errors.ts";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHELL_NAME = /^[A-Za-z0-9._+-]+$/;

/** The environment variable the askpass helper reads the sudo password from. */
export const SUDO_PASSWORD_ENV = "SKIFF_SUDO_PASSWORD";

function envAssignments(env: Readonly<Record<string, string | SecretValue | RawValue>>): Command {
  const parts: Command[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!ENV_NAME.test(key)) {
      throw new InputError(`_env: "${key}" is not a valid environment variable name`);
    }
    if (value instanceof RawValue) parts.push(Command.of(`${key}=${value.text}`));
    else if (value instanceof SecretValue) parts.push(sh`${new RawValue(key)}=${value}`);
    else parts.push(Command.of(`${key}=${quote(String(value))}`));
  }
  return Command.join(parts);
}

function countSecrets(command: Command): number {
  return command.bits.filter((bit) => bit.kind === "secret").length;
}

/**
 * Wraps `command` according to the command-shaping control arguments.
 *
 * @example
 * ```ts
 * import { makeUnixCommand } from "./unix_command.ts";
 * makeUnixCommand("whoami", { _sudo: true, _sudo_user: "postgres" }).render();
 * // "sudo -H -n -u postgres sh -c whoami"
 * ```
 */
export function makeUnixCommand(command: Command | string, args: CommandArguments = {}): Command {
  let inner = toCommand(command);
  const shell = args._shell_executable === undefined ? "sh" : args._shell_executable;
  const privileged = Boolean(args._sudo || args._doas || args._su_user);

  if (
    shell === null && privileged && (args._chdir || (args._env && Object.keys(args._env).length))
  ) {
    throw new InputError(
      "_chdir and _env need a shell when combined with _sudo, _doas or _su_user",
    );
  }
  if (args._env && Object.keys(args._env).length > 0) {
    inner = Command.join([
      Command.of("export"),
      envAssignments(args._env),
      Command.of("&&"),
      inner,
    ]);
  }
  if (args._chdir !== undefined) {
    inner = Command.join([sh`cd ${args._chdir}`, Command.of("&&"), inner]);
  }
  if (shell !== null) {
    if (!SHELL_NAME.test(shell) && !shell.startsWith("/")) {
      throw new InputError(
        `_shell_executable: ${JSON.stringify(shell)} is not a shell name or path`,
      );
    }
    inner = Command.join([Command.of(quote(shell)), Command.of("-c"), inner.quoted()]);
  }

  const innerSecrets = countSecrets(inner);
  const sudoPassword = args._sudo && args._sudo_password !== undefined
    ? (args._sudo_password instanceof SecretValue
      ? args._sudo_password
      : new SecretValue(args._sudo_password))
    : undefined;
  if (innerSecrets > 0 && args._doas) {
    throw new InputError(
      "Secret values cannot pass through _doas: doas clears the environment they travel in",
    );
  }
  if (innerSecrets > 0 && args._su_user && args._use_su_login) {
    throw new InputError(
      "Secret values cannot pass through _su_user with _use_su_login: a login shell clears the environment they travel in",
    );
  }
  if (sudoPassword && args._doas) {
    throw new InputError(
      "_sudo_password cannot be combined with _doas: the askpass helper cannot pass through doas",
    );
  }

  const bits: Command[] = [];
  if (args._doas) {
    bits.push(Command.of("doas -n"));
    if (args._doas_user) bits.push(sh`-u ${args._doas_user}`);
  }
  if (args._sudo) {
    if (sudoPassword) {
      bits.push(
        sh`SUDO_ASKPASS="$SKIFF_ASKPASS" ${new RawValue(SUDO_PASSWORD_ENV)}=${sudoPassword}`,
      );
    }
    bits.push(Command.of(sudoPassword ? "sudo -H -A -k" : "sudo -H -n"));
    if (args._use_sudo_login) bits.push(Command.of("-i"));
    if (args._preserve_sudo_env) bits.push(Command.of("-E"));
    if (innerSecrets > 0) {
      const first = sudoPassword ? 1 : 0;
      const names = Array.from(
        { length: innerSecrets },
        (_, i) => `${SECRET_ENV_PREFIX}${first + i}`,
      );
      bits.push(Command.of(`--preserve-env=${names.join(",")}`));
    }
    if (args._sudo_user) bits.push(sh`-u ${args._sudo_user}`);
  }
  if (args._su_user) {
    bits.push(Command.of("su"));
    if (args._use_su_login) bits.push(Command.of("-l"));
    if (args._preserve_su_env) bits.push(Command.of("-m"));
    if (args._su_shell) {
      if (args._su_shell.includes("/")) bits.push(sh`-s ${args._su_shell}`);
      else if (SHELL_NAME.test(args._su_shell)) {
        bits.push(Command.of(`-s "$(command -v ${args._su_shell})"`));
      } else {throw new InputError(
          `_su_shell: ${JSON.stringify(args._su_shell)} is not a shell name or path`,
        );}
    }
    bits.push(sh`${args._su_user} -c`);
    bits.push(shell === null ? inner : inner.quoted());
  } else {
    bits.push(inner);
  }
  const wrapped = Command.join(bits);
  return sudoPassword ? withAskpass(wrapped) : wrapped;
}

/**
 * Surrounds a sudo command with the creation and removal of a private askpass
 * helper that prints `$SKIFF_SUDO_PASSWORD`, in a subshell that keeps the exit code.
 */
function withAskpass(command: Command): Command {
  const helper = `printf '%s\\n' '#!/bin/sh' 'printf "%s\\n" "$${SUDO_PASSWORD_ENV}"'`;
  return Command.join([
    Command.of(
      `(SKIFF_ASKPASS="$(mktemp)" && ${helper} >"$SKIFF_ASKPASS" && chmod 700 "$SKIFF_ASKPASS" || exit 125; `,
    ),
    command,
    Command.of(`; skiff_rc=$?; rm -f "$SKIFF_ASKPASS"; exit $skiff_rc)`),
  ], "");
}
