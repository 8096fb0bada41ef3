/**
 * `makeUnixCommand`: the one pure function that wraps a command with its
 * environment, working directory, shell and privileges.
 *
 * One privilege method (`_sudo`, `_su_user` or `_doas`), or several nested
 * explicitly with `_privilege_chain` (outer to inner, as pyinfra stacks
 * `["doas", "sudo", "su"]`); inside them `SHELL -c '<cd DIR && export K=V &&
 * command>'`. Unlike pyinfra, environment values, the directory and user
 * names are quoted.
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
import { privilegeOf, type PrivilegeStep, privilegeSteps } from "./privilege.ts";

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

function secretValue(password: string | SecretValue): SecretValue {
  return password instanceof SecretValue ? password : new SecretValue(password);
}

/** Refuses chains through which secrets or the askpass helper cannot travel. */
function checkSecrets(steps: readonly PrivilegeStep[], innerSecrets: number): void {
  const password = steps.some((step) => step.kind === "sudo" && step.password !== undefined);
  if (password && steps.some((step) => step.kind !== "doas" && step.preserveEnv)) {
    throw new InputError(
      "_sudo_password cannot be combined with _preserve_sudo_env: the password travels in the environment, which would be handed to the command (pass what it needs with _env)",
    );
  }
  for (const [index, step] of steps.entries()) {
    if (innerSecrets > 0 && step.kind === "doas") {
      throw new InputError(
        "Secret values cannot pass through _doas: doas clears the environment they travel in",
      );
    }
    if (innerSecrets > 0 && step.kind === "sudo" && step.login) {
      throw new InputError(
        "Secret values cannot pass through _sudo with _use_sudo_login: the login shell would see their names unquoted",
      );
    }
    if (innerSecrets > 0 && step.kind === "su" && step.login) {
      throw new InputError(
        "Secret values cannot pass through _su_user with _use_su_login: a login shell clears the environment they travel in",
      );
    }
    if (step.kind === "sudo" && step.password !== undefined && index > 0) {
      const outer = steps[0].kind === "doas" ? "_doas" : "_su_user";
      throw new InputError(
        `_sudo_password cannot be combined with ${outer}: the askpass helper cannot pass through ${
          steps[0].kind
        }`,
      );
    }
  }
}

function suShell(shell: string): Command {
  if (shell.includes("/")) return sh`-s ${shell}`;
  if (SHELL_NAME.test(shell)) return Command.of(`-s "$(command -v ${shell})"`);
  throw new InputError(`_su_shell: ${JSON.stringify(shell)} is not a shell name or path`);
}

/** Wraps `inner` in one privilege step; `quote` says whether su must quote it. */
function wrapStep(step: PrivilegeStep, inner: Command, quote: boolean, secrets: number): Command {
  const bits: Command[] = [];
  if (step.kind === "doas") {
    bits.push(Command.of("doas -n"));
    if (step.user) bits.push(sh`-u ${step.user}`);
  } else if (step.kind === "sudo") {
    const password = step.password === undefined ? undefined : secretValue(step.password);
    if (password) {
      bits.push(sh`SUDO_ASKPASS="$SKIFF_ASKPASS" ${new RawValue(SUDO_PASSWORD_ENV)}=${password}`);
    }
    bits.push(Command.of(password ? "sudo -H -A -k" : "sudo -H -n"));
    if (step.login) bits.push(Command.of("-i"));
    if (step.preserveEnv) bits.push(Command.of("-E"));
    if (secrets > 0) {
      const first = password ? 1 : 0;
      const names = Array.from({ length: secrets }, (_, i) => `${SECRET_ENV_PREFIX}${first + i}`);
      bits.push(Command.of(`--preserve-env=${names.join(",")}`));
    }
    if (step.user) bits.push(sh`-u ${step.user}`);
    if (step.login) inner = loginSafe(inner);
  } else {
    bits.push(Command.of("su"));
    if (step.login) bits.push(Command.of("-l"));
    if (step.preserveEnv) bits.push(Command.of("-m"));
    if (step.shell) bits.push(suShell(step.shell));
    bits.push(sh`${step.user} -c`);
    bits.push(quote ? inner.quoted() : inner);
    return Command.join(bits);
  }
  bits.push(inner);
  return Command.join(bits);
}

/**
 * `sudo -i` hands its command to the login shell with every character
 * escaped except letters, digits, `_`, `-` and `$`, so that shell would
 * expand `$NAME` even inside quotes skiff made. The command travels in
 * base64 instead (no `$` in it) and is decoded by the shell it runs in.
 */
function loginSafe(inner: Command): Command {
  const bytes = new TextEncoder().encode(inner.render());
  const encoded = btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
  return Command.of(`sh -c 'eval "$(printf %s ${encoded} | base64 -d)"'`);
}

/**
 * Wraps `command` according to the command-shaping control arguments. The
 * privilege comes from {@linkcode privilegeOf}: one of `_sudo`, `_su_user`,
 * `_doas`, or the methods of `_privilege_chain` nested outer to inner.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { makeUnixCommand } from "./unix_command.ts";
 * deepStrictEqual(makeUnixCommand("whoami", { _sudo: true, _sudo_user: "postgres" }).render(), "sudo -H -n -u postgres sh -c whoami");
 * deepStrictEqual(makeUnixCommand("id", { _privilege_chain: ["doas", "su"], _su_user: "app" }).render(), "doas -n su app -c 'sh -c id'");
 * ```
 */
export function makeUnixCommand(command: Command | string, args: CommandArguments = {}): Command {
  let inner = toCommand(command);
  const shell = args._shell_executable === undefined ? "sh" : args._shell_executable;
  const steps = privilegeSteps(privilegeOf(args));

  if (
    shell === null && steps.length > 0 &&
    (args._chdir || (args._env && Object.keys(args._env).length))
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
  checkSecrets(steps, innerSecrets);
  let wrapped = inner;
  for (let i = steps.length - 1; i >= 0; i--) {
    // su quotes what it runs, except a bare command with no shell at the innermost level.
    const quoteInner = shell !== null || i < steps.length - 1;
    wrapped = wrapStep(steps[i], wrapped, quoteInner, innerSecrets);
  }
  const outer = steps[0];
  return outer?.kind === "sudo" && outer.password !== undefined ? withAskpass(wrapped) : wrapped;
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
