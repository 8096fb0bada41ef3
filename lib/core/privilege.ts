/**
 * Privilege as one value: the control arguments `_sudo`, `_su_user`, `_doas`
 * (with their users and options) and `_privilege_chain` become one
 * {@linkcode Privilege}, so two methods never stack by accident.
 *
 * Rules:
 * - Setting two of `_sudo`, `_su_user` and `_doas` is an input error naming
 *   both, unless `_privilege_chain` nests them explicitly, outer to inner
 *   (`["doas", "sudo", "su"]` is pyinfra's stacking).
 * - Across layers (operation call > deploy defaults > host data > CLI flags,
 *   and inside host data: CLI `--data` > host > groups > fleet `data`), a
 *   layer that sets any of `_sudo`, `_su_user`, `_doas` or `_privilege_chain`
 *   (even to false) replaces the privilege chosen below it as a whole. The
 *   options (`_sudo_user`, `_sudo_password`, `_doas_user`, `_su_shell`, …)
 *   still merge key by key and apply only to the method chosen.
 *
 * @module
 */

import type { ControlArguments } from "../api/control.ts";
import type { SecretValue } from "./command.ts";
import { InputError } from "./errors.ts";

/** The privilege methods, in pyinfra's stacking order (outer to inner). */
export const PRIVILEGE_METHODS = ["doas", "sudo", "su"] as const;

/** One privilege method. */
export type PrivilegeMethod = typeof PRIVILEGE_METHODS[number];

/** The control arguments that choose privilege; a layer setting one replaces the choice below it. */
export const PRIVILEGE_CHOICE_KEYS = ["_sudo", "_su_user", "_doas", "_privilege_chain"] as const;

/** `sudo [-u user] [-i] [-E]`, with an optional password given through askpass. */
export interface SudoPrivilege {
  readonly kind: "sudo";
  readonly user?: string;
  readonly login: boolean;
  readonly preserveEnv: boolean;
  readonly password?: string | SecretValue;
}

/** `su [-l] [-m] [-s shell] user -c …`. */
export interface SuPrivilege {
  readonly kind: "su";
  readonly user: string;
  readonly login: boolean;
  readonly preserveEnv: boolean;
  readonly shell?: string;
}

/** `doas [-u user]`. */
export interface DoasPrivilege {
  readonly kind: "doas";
  readonly user?: string;
}

/** One method with its options. */
export type PrivilegeStep = SudoPrivilege | SuPrivilege | DoasPrivilege;

/** Several methods nested explicitly, outer to inner. */
export interface PrivilegeChain {
  readonly kind: "chain";
  readonly steps: readonly PrivilegeStep[];
}

/** How a command gains privilege: not at all, one method, or an explicit chain. */
export type Privilege = { readonly kind: "none" } | PrivilegeStep | PrivilegeChain;

/** The control arguments {@linkcode privilegeOf} reads (declared once, in lib/api). */
export type PrivilegeArguments = Pick<
  ControlArguments<SecretValue>,
  | "_sudo"
  | "_sudo_user"
  | "_use_sudo_login"
  | "_sudo_password"
  | "_preserve_sudo_env"
  | "_su_user"
  | "_use_su_login"
  | "_preserve_su_env"
  | "_su_shell"
  | "_doas"
  | "_doas_user"
  | "_privilege_chain"
>;

const SELECTOR: Record<PrivilegeMethod, "_doas" | "_sudo" | "_su_user"> = {
  doas: "_doas",
  sudo: "_sudo",
  su: "_su_user",
};

function step(method: PrivilegeMethod, args: PrivilegeArguments): PrivilegeStep {
  switch (method) {
    case "doas":
      return { kind: "doas", ...(args._doas_user ? { user: args._doas_user } : {}) };
    case "sudo":
      return {
        kind: "sudo",
        ...(args._sudo_user ? { user: args._sudo_user } : {}),
        login: Boolean(args._use_sudo_login),
        preserveEnv: Boolean(args._preserve_sudo_env),
        ...(args._sudo_password !== undefined ? { password: args._sudo_password } : {}),
      };
    case "su":
      return {
        kind: "su",
        user: args._su_user as string,
        login: Boolean(args._use_su_login),
        preserveEnv: Boolean(args._preserve_su_env),
        ...(args._su_shell ? { shell: args._su_shell } : {}),
      };
  }
}

function listNames(names: readonly string[]): string {
  if (names.length === 2) return `${names[0]} and ${names[1]} are both set`;
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)} are all set`;
}

function checkedChain(chain: readonly unknown[]): PrivilegeMethod[] {
  const seen = new Set<string>();
  for (const method of chain) {
    if (!(PRIVILEGE_METHODS as readonly unknown[]).includes(method)) {
      throw new InputError(
        `_privilege_chain: ${JSON.stringify(method)} is not one of "doas", "sudo", "su"`,
      );
    }
    if (seen.has(method as string)) {
      throw new InputError(`_privilege_chain: "${method}" is listed twice`);
    }
    seen.add(method as string);
  }
  return chain as PrivilegeMethod[];
}

/**
 * The privilege that merged control arguments ask for. Two of `_sudo`,
 * `_su_user` and `_doas` without `_privilege_chain` are an input error naming
 * both; with a chain, each of them that is set must be in it, and `"su"` in
 * it needs `_su_user`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { privilegeOf } from "./privilege.ts";
 * deepStrictEqual(privilegeOf({ _sudo: true, _sudo_user: "postgres" }), { kind: "sudo", user: "postgres", login: false, preserveEnv: false });
 * deepStrictEqual(privilegeOf({ _privilege_chain: ["doas", "su"], _su_user: "app" }).kind, "chain");
 * deepStrictEqual(privilegeOf({}), { kind: "none" });
 * ```
 */
export function privilegeOf(args: PrivilegeArguments): Privilege {
  const chosen = PRIVILEGE_METHODS.filter((method) => Boolean(args[SELECTOR[method]]));
  const chain = args._privilege_chain;
  if (chain === undefined || chain === null) {
    if (chosen.length > 1) {
      const names = (["_sudo", "_su_user", "_doas"] as const).filter((key) => args[key]);
      throw new InputError(
        `${listNames(names)}: choose one, or nest them explicitly with _privilege_chain`,
      );
    }
    return chosen.length === 1 ? step(chosen[0], args) : { kind: "none" };
  }
  const methods = checkedChain(chain);
  for (const method of chosen) {
    if (!methods.includes(method)) {
      throw new InputError(
        `${SELECTOR[method]} is set but _privilege_chain ${
          JSON.stringify(methods)
        } does not include "${method}": add it to the chain or leave ${SELECTOR[method]} out`,
      );
    }
  }
  if (methods.includes("su") && !args._su_user) {
    throw new InputError(`_privilege_chain includes "su" but _su_user is not set: su needs a user`);
  }
  const steps = methods.map((method) => step(method, args));
  if (steps.length === 0) return { kind: "none" };
  return steps.length === 1 ? steps[0] : { kind: "chain", steps };
}

/**
 * The methods of a privilege, outer to inner (none: an empty list).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { privilegeSteps } from "./privilege.ts";
 * deepStrictEqual(privilegeSteps({ kind: "doas" }), [{ kind: "doas" }]);
 * deepStrictEqual(privilegeSteps({ kind: "none" }), []);
 * ```
 */
export function privilegeSteps(privilege: Privilege): readonly PrivilegeStep[] {
  if (privilege.kind === "none") return [];
  return privilege.kind === "chain" ? privilege.steps : [privilege];
}

/**
 * True when the arguments run commands as another user (any privilege method).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { isPrivileged } from "./privilege.ts";
 * deepStrictEqual(isPrivileged({ _sudo: true }), true);
 * deepStrictEqual(isPrivileged({ _sudo: false, _sudo_user: "x" }), false);
 * ```
 */
export function isPrivileged(args: PrivilegeArguments): boolean {
  return privilegeOf(args).kind !== "none";
}

/**
 * True when a layer of arguments or data chooses privilege: it sets one of
 * `_sudo`, `_su_user`, `_doas` or `_privilege_chain`, even to false.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { choosesPrivilege } from "./privilege.ts";
 * deepStrictEqual(choosesPrivilege({ _sudo: false }), true);
 * deepStrictEqual(choosesPrivilege({ _sudo_user: "postgres" }), false);
 * ```
 */
export function choosesPrivilege(layer: object): boolean {
  return PRIVILEGE_CHOICE_KEYS.some((key) => (layer as Record<string, unknown>)[key] !== undefined);
}

/**
 * `upper`'s keys over `lower`'s; when `upper` chooses privilege, `lower`'s
 * choice (`_sudo`, `_su_user`, `_doas`, `_privilege_chain`) is dropped first,
 * so the more specific layer replaces privilege as a whole. Keys whose value
 * is `undefined` in `upper` leave `lower`'s value.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { overlay } from "./privilege.ts";
 * deepStrictEqual(overlay({ _doas: true, _sudo_password: "pw" }, { _sudo: true }), { _sudo_password: "pw", _sudo: true });
 * deepStrictEqual(overlay({ _sudo: true }, { _sudo_user: "postgres" }), { _sudo: true, _sudo_user: "postgres" });
 * ```
 */
export function overlay(lower: object, upper: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...lower };
  if (choosesPrivilege(upper)) { for (const key of PRIVILEGE_CHOICE_KEYS) delete out[key]; }
  for (const [key, value] of Object.entries(upper)) if (value !== undefined) out[key] = value;
  return out;
}
