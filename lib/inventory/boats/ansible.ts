/**
 * Ansible inventories (INI and YAML) as skiff hosts and groups:
 * `[group]`, `[group:children]`, `[group:vars]`, inline host vars, ranges
 * like `web[01:03]`, and `ansible_*` connection variables mapped to ssh data.
 *
 * @module
 */

import YAML from "yaml";
import { SecretValue } from "../../core/command.ts";
import { InputError } from "../../core/errors.ts";
import type { BoatHosts } from "./boat_hosts.ts";

const MAPPED: Readonly<Record<string, string>> = {
  ansible_host: "ssh_hostname",
  ansible_ssh_host: "ssh_hostname",
  ansible_port: "ssh_port",
  ansible_ssh_port: "ssh_port",
  ansible_user: "ssh_user",
  ansible_ssh_user: "ssh_user",
  ansible_ssh_private_key_file: "ssh_key",
  ansible_password: "ssh_password",
  ansible_ssh_pass: "ssh_password",
  ansible_become: "_sudo",
  ansible_become_user: "_sudo_user",
  ansible_become_password: "_sudo_password",
};

function convert(vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(vars)) {
    const mapped = MAPPED[key];
    if (mapped === undefined) {
      out[key] = value;
      continue;
    }
    let converted = value;
    if (mapped === "ssh_port" && typeof value === "string" && /^\d+$/.test(value)) {
      converted = Number(value);
    }
    if (mapped === "_sudo" && typeof value === "string") converted = /^(true|yes|1)$/i.test(value);
    if ((mapped === "ssh_password" || mapped === "_sudo_password") && typeof value === "string") {
      converted = new SecretValue(value);
    }
    out[mapped] = converted;
  }
  return out;
}

/** Expands `web[01:03].example` into web01…web03. */
export function expandRange(pattern: string): string[] {
  const match = /^(.*)\[([0-9a-z]+):([0-9a-z]+)\](.*)$/.exec(pattern);
  if (!match) return [pattern];
  const [, head, from, to, tail] = match;
  const out: string[] = [];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    for (let n = Number(from); n <= Number(to); n++) {
      out.push(...expandRange(`${head}${String(n).padStart(from.length, "0")}${tail}`));
    }
  } else {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) {
      out.push(...expandRange(`${head}${String.fromCharCode(c)}${tail}`));
    }
  }
  return out;
}

function scalar(text: string): unknown {
  const unquoted = /^(['"])(.*)\1$/.exec(text);
  if (unquoted) return unquoted[2];
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === "true";
  return text;
}

function inlineVars(words: string[], what: string, line: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const word of words) {
    const index = word.indexOf("=");
    if (index <= 0) throw new InputError(`${what}:${line}: expected key=value, got "${word}"`);
    out[word.slice(0, index)] = scalar(word.slice(index + 1));
  }
  return out;
}

function splitWords(line: string): string[] {
  return line.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
}

class Builder {
  readonly hosts: Record<string, Record<string, unknown>> = {};
  readonly groupHosts: Record<string, Set<string>> = {};
  readonly groupVars: Record<string, Record<string, unknown>> = {};
  readonly children: Record<string, Set<string>> = {};

  host(name: string, vars: Record<string, unknown>, group?: string): void {
    this.hosts[name] = { ...this.hosts[name], ...vars };
    if (group && group !== "all" && group !== "ungrouped") {
      (this.groupHosts[group] ??= new Set()).add(name);
    }
  }

  /** Members of a group including its children, recursively. */
  members(group: string, seen = new Set<string>()): Set<string> {
    if (seen.has(group)) return new Set();
    seen.add(group);
    const out = new Set(this.groupHosts[group] ?? []);
    for (const child of this.children[group] ?? []) {
      for (const host of this.members(child, seen)) out.add(host);
    }
    return out;
  }

  finish(): BoatHosts {
    const groups: Record<string, string[]> = {};
    const names = new Set([
      ...Object.keys(this.groupHosts),
      ...Object.keys(this.children),
      ...Object.keys(this.groupVars),
    ]);
    names.delete("all");
    names.delete("ungrouped");
    const hosts: Record<string, Record<string, unknown>> = {};
    // Variable precedence: all vars < parent group vars < child group vars < host vars.
    const depth = (group: string): number => {
      let best = 0;
      for (const [parent, kids] of Object.entries(this.children)) {
        if (kids.has(group)) best = Math.max(best, depth(parent) + 1);
      }
      return best;
    };
    const ordered = [...names].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
    for (const group of ordered) groups[group] = [...this.members(group)].sort();
    for (const [name, vars] of Object.entries(this.hosts)) {
      let merged: Record<string, unknown> = { ...this.groupVars.all };
      for (const group of ordered) {
        if (groups[group].includes(name)) merged = { ...merged, ...this.groupVars[group] };
      }
      hosts[name] = convert({ ...merged, ...vars });
    }
    return { hosts, groups };
  }
}

function parseIni(text: string, what: string): BoatHosts {
  const builder = new Builder();
  let section = "ungrouped";
  let kind: "hosts" | "children" | "vars" = "hosts";
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/\s[#;].*$/, "").trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]:]+)(?::(children|vars))?\]$/.exec(line);
    if (header) {
      section = header[1];
      kind = (header[2] as "children" | "vars" | undefined) ?? "hosts";
      if (kind === "hosts") builder.groupHosts[section] ??= new Set();
      continue;
    }
    if (kind === "children") (builder.children[section] ??= new Set()).add(line);
    else if (kind === "vars") {
      Object.assign(
        builder.groupVars[section] ??= {},
        inlineVars([line.replace(/\s*=\s*/, "=")], what, index + 1),
      );
    } else {
      const [name, ...rest] = splitWords(line);
      for (const host of expandRange(name)) {
        builder.host(host, inlineVars(rest, what, index + 1), section);
      }
    }
  }
  return builder.finish();
}

function walkYamlGroup(builder: Builder, name: string, group: unknown, what: string): void {
  if (group === null || group === undefined) return;
  if (typeof group !== "object" || Array.isArray(group)) {
    throw new InputError(`${what}: group "${name}" must be a map`);
  }
  const record = group as Record<string, unknown>;
  for (const [host, vars] of Object.entries((record.hosts ?? {}) as Record<string, unknown>)) {
    for (const expanded of expandRange(host)) {
      builder.host(expanded, (vars ?? {}) as Record<string, unknown>, name);
    }
  }
  if (record.vars) {
    Object.assign(builder.groupVars[name] ??= {}, record.vars as Record<string, unknown>);
  }
  for (const [child, body] of Object.entries((record.children ?? {}) as Record<string, unknown>)) {
    (builder.children[name] ??= new Set()).add(child);
    builder.groupHosts[child] ??= new Set();
    walkYamlGroup(builder, child, body, what);
  }
}

/**
 * Parses an Ansible inventory, INI or YAML.
 *
 * @example
 * ```ts
 * import { parseAnsibleInventory } from "./ansible.ts";
 * parseAnsibleInventory("[web]\nweb1 ansible_host=10.0.0.5 ansible_port=2222\n", "inv").hosts.web1;
 * // { ssh_hostname: "10.0.0.5", ssh_port: 2222 }
 * ```
 */
export function parseAnsibleInventory(text: string, what: string): BoatHosts {
  const first =
    text.split("\n").map((line) => line.trim()).find((line) =>
      line !== "" && !/^[#;]/.test(line)
    ) ?? "";
  if (!/^[\w.-]+:$/.test(first) && first !== "---") return parseIni(text, what);
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (error) {
    throw new InputError(`${what}: ${(error as Error).message.split("\n")[0]}`);
  }
  const builder = new Builder();
  for (const [name, group] of Object.entries((doc ?? {}) as Record<string, unknown>)) {
    walkYamlGroup(builder, name, group, what);
  }
  return builder.finish();
}
