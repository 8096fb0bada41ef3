/**
 * Ansible's resolved variables as skiff host data: connection aliases with
 * Ansible's precedence (the last name in each list that is set wins, as
 * Ansible's config manager reads them), `ansible_connection` to a skiff
 * connector, become to `_sudo`/`_su_user`/`_doas`, passwords as secrets.
 *
 * @module
 */

import { SecretValue } from "../../../core/command.ts";
import { InputError } from "../../../core/errors.ts";
import type { BoatHosts } from "../boat_hosts.ts";
import type { AnsibleView } from "./resolve.ts";

/** Ansible variable names per setting, in Ansible's order: the last one set wins. */
const ALIASES = {
  host: ["ansible_host", "ansible_ssh_host"],
  port: ["ansible_port", "ansible_ssh_port"],
  user: ["ansible_user", "ansible_ssh_user"],
  password: ["ansible_password", "ansible_ssh_pass", "ansible_ssh_password"],
  key: ["ansible_private_key_file", "ansible_ssh_private_key_file"],
  connection: ["ansible_connection"],
  become: ["ansible_become"],
  becomeMethod: ["ansible_become_method"],
  sudoUser: ["ansible_become_user", "ansible_sudo_user"],
  suUser: ["ansible_become_user", "ansible_su_user"],
  sudoPass: ["ansible_become_password", "ansible_become_pass", "ansible_sudo_pass"],
  suPass: ["ansible_become_password", "ansible_become_pass", "ansible_su_pass"],
  doasPass: ["ansible_become_password", "ansible_become_pass", "ansible_doas_pass"],
} as const;

const CONSUMED = new Set<string>(Object.values(ALIASES).flat());

function pick(vars: Record<string, unknown>, names: readonly string[]): unknown {
  let value: unknown;
  for (const name of names) if (vars[name] !== undefined && vars[name] !== null) value = vars[name];
  return value;
}

/**
 * Ansible's `boolean()`: `yes`, `on`, `y`, `true`, `t`, `1` (any case) and
 * 1 are true.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { ansibleBoolean } from "./to_skiff.ts";
 * deepStrictEqual(["on", "y", "Yes", "0", "off", true].map(ansibleBoolean), [true, true, true, false, false, true]);
 * ```
 */
export function ansibleBoolean(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1;
  return /^(y|yes|on|1|true|t)$/i.test(String(value ?? "").trim());
}

function secret(value: unknown): SecretValue {
  return new SecretValue(String(value));
}

/** One host's variables as skiff data; `where` names the host in errors. */
export function hostData(
  vars: Record<string, unknown>,
  names: { host: string; where: string },
): Record<string, unknown> {
  const where = names.where;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(vars)) if (!CONSUMED.has(key)) out[key] = value;
  const connection = String(pick(vars, ALIASES.connection) ?? "ssh");
  const host = pick(vars, ALIASES.host);
  if (connection === "local") out.connector = "@local";
  else if (connection === "docker") out.connector = `@docker/${host ?? names.host}`;
  else if (!["ssh", "smart", "paramiko", "paramiko_ssh"].includes(connection)) {
    throw new InputError(
      `${where}: ansible_connection "${connection}" has no skiff connector (local, docker and ssh do)`,
    );
  } else {
    const port = pick(vars, ALIASES.port);
    if (host !== undefined) out.ssh_hostname = String(host);
    if (port !== undefined) out.ssh_port = Number(port);
    const user = pick(vars, ALIASES.user);
    if (user !== undefined) out.ssh_user = String(user);
    const password = pick(vars, ALIASES.password);
    if (password !== undefined) out.ssh_password = secret(password);
    const key = pick(vars, ALIASES.key);
    if (key !== undefined) out.ssh_key = String(key);
  }
  if (!ansibleBoolean(pick(vars, ALIASES.become))) return out;
  const method = String(pick(vars, ALIASES.becomeMethod) ?? "sudo");
  if (method === "sudo") {
    out._sudo = true;
    const user = pick(vars, ALIASES.sudoUser);
    if (user !== undefined) out._sudo_user = String(user);
    const password = pick(vars, ALIASES.sudoPass);
    if (password !== undefined) out._sudo_password = secret(password);
  } else if (method === "su") {
    out._su_user = String(pick(vars, ALIASES.suUser) ?? "root");
    if (pick(vars, ALIASES.suPass) !== undefined) {
      throw new InputError(
        `${where}: become with su and a password is not supported: su reads it from a terminal; use sudo or doas, or a rule that needs no password`,
      );
    }
  } else if (method === "doas") {
    out._doas = true;
    const user = pick(vars, ALIASES.sudoUser);
    if (user !== undefined) out._doas_user = String(user);
    if (pick(vars, ALIASES.doasPass) !== undefined) {
      throw new InputError(`${where}: become with doas and a password is not supported`);
    }
  } else {
    throw new InputError(
      `${where}: ansible_become_method "${method}" is not supported (sudo, su and doas are)`,
    );
  }
  return out;
}

/** Every group's hosts, its children's included (skiff groups list all their members). */
function members(view: AnsibleView, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const group = view.groups[name];
  const out = new Set(group?.hosts ?? []);
  for (const child of group?.children ?? []) {
    for (const host of members(view, child, seen)) out.add(host);
  }
  return [...out];
}

/**
 * Skiff's hosts and groups from Ansible's view.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { toBoatHosts } from "./to_skiff.ts";
 * const view = {
 *   hostvars: { web1: { ansible_host: "10.0.0.5", ansible_ssh_host: "10.0.0.6", app: "x" } },
 *   groups: { all: { hosts: [], children: ["web"] }, web: { hosts: ["web1"], children: [] } },
 * };
 * deepStrictEqual(toBoatHosts(view, "inv"), {
 *   hosts: { web1: { app: "x", ssh_hostname: "10.0.0.6" } },
 *   groups: { web: ["web1"] },
 * });
 * ```
 */
export function toBoatHosts(view: AnsibleView, what: string): BoatHosts {
  const hosts: BoatHosts["hosts"] = {};
  for (const [name, vars] of Object.entries(view.hostvars)) {
    hosts[name] = hostData(vars, { host: name, where: `${what}: host ${name}` });
  }
  const groups: BoatHosts["groups"] = {};
  for (const name of Object.keys(view.groups)) {
    if (name === "all" || name === "ungrouped") continue;
    groups[name] = members(view, name).sort();
  }
  return { hosts, groups };
}
