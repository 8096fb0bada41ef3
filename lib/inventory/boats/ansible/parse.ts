/**
 * Ansible inventory sources (INI, YAML, JSON) read into one raw model:
 * groups with their hosts, children and variables, and each host's own
 * variables, as Ansible's `ini` and `yaml` plugins build them.
 *
 * @module
 */

import YAML from "yaml";
import { InputError } from "../../../core/errors.ts";
import { parseHostPattern } from "./host_pattern.ts";
import { iniValue, shlexSplit } from "./python_literal.ts";

/** One group as the sources declare it. */
export interface RawGroup {
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
  /** `ansible_group_priority` (default 1); not a variable. */
  priority: number;
}

/** Every group and host an inventory declares, before precedence. */
export interface RawInventory {
  groups: Map<string, RawGroup>;
  hostVars: Map<string, Record<string, unknown>>;
}

/** An empty inventory with Ansible's two implicit groups. */
export function emptyInventory(): RawInventory {
  const inventory: RawInventory = { groups: new Map(), hostVars: new Map() };
  group(inventory, "all");
  group(inventory, "ungrouped");
  return inventory;
}

/** The group `name`, made when missing. */
export function group(inventory: RawInventory, name: string): RawGroup {
  let found = inventory.groups.get(name);
  if (!found) {
    found = { hosts: [], children: [], vars: {}, priority: 1 };
    inventory.groups.set(name, found);
  }
  return found;
}

/** Sets a group variable; `ansible_group_priority` sets the priority instead. */
export function setGroupVar(target: RawGroup, key: string, value: unknown): void {
  if (key === "ansible_group_priority") target.priority = Number(value);
  else target.vars[key] = value;
}

function addHosts(
  inventory: RawInventory,
  groupName: string,
  pattern: string,
  vars: Record<string, unknown>,
): void {
  const { names, port } = parseHostPattern(pattern);
  const target = group(inventory, groupName);
  for (const name of names) {
    if (!target.hosts.includes(name)) target.hosts.push(name);
    const own = inventory.hostVars.get(name) ?? {};
    if (port !== undefined) own.ansible_port = port;
    inventory.hostVars.set(name, { ...own, ...vars });
  }
}

function addChild(inventory: RawInventory, parent: string, child: string): void {
  group(inventory, child);
  const target = group(inventory, parent);
  if (!target.children.includes(child)) target.children.push(child);
}

/**
 * Reads an INI inventory as Ansible's `ini` plugin does: hosts before any
 * section are `ungrouped`, values are Python literals or text, `#` and `;`
 * start comment lines.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseIni } from "./parse.ts";
 * const raw = parseIni("[web]\nweb[1:2] port=80\n[web:vars]\nssl=True\n", "inv");
 * deepStrictEqual([raw.groups.get("web")?.hosts, raw.groups.get("web")?.vars], [["web1", "web2"], { ssl: true }]);
 * ```
 */
export function parseIni(text: string, what: string, into = emptyInventory()): RawInventory {
  let section = "ungrouped";
  let kind = "hosts";
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    const where = `${what}:${index + 1}`;
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/.exec(line);
    if (header) {
      section = header[1];
      kind = header[2] ?? "hosts";
      if (!["hosts", "vars", "children"].includes(kind)) {
        throw new InputError(
          `${where}: section [${section}:${kind}] has an unknown type "${kind}"`,
        );
      }
      group(into, section);
      continue;
    }
    if (kind === "vars") {
      const at = line.indexOf("=");
      if (at <= 0) throw new InputError(`${where}: expected key=value, got "${line}"`);
      setGroupVar(
        group(into, section),
        line.slice(0, at).trim(),
        iniValue(line.slice(at + 1).trim()),
      );
    } else if (kind === "children") {
      addChild(into, section, line.replace(/\s+#.*$/, ""));
    } else {
      let words: string[];
      try {
        words = shlexSplit(line);
      } catch (error) {
        throw new InputError(`${where}: ${(error as Error).message}`);
      }
      const vars: Record<string, unknown> = {};
      for (const word of words.slice(1)) {
        const at = word.indexOf("=");
        if (at <= 0) {
          throw new InputError(`${where}: expected key=value host variable, got "${word}"`);
        }
        vars[word.slice(0, at)] = iniValue(word.slice(at + 1));
      }
      try {
        addHosts(into, section, words[0], vars);
      } catch (error) {
        throw new InputError(`${where}: ${(error as Error).message}`);
      }
    }
  }
  return into;
}

/**
 * Reads YAML with Ansible's loader semantics: YAML 1.1 (`yes`, `on`, `0755`)
 * and `<<:` merge keys. JSON is YAML too.
 */
export function parseYaml11(text: string, what: string): unknown {
  try {
    return YAML.parse(text, { version: "1.1", merge: true });
  } catch (error) {
    throw new InputError(`${what}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/**
 * Reads a YAML or JSON inventory (already parsed) as Ansible's `yaml` plugin
 * does: every top-level key is a group with `hosts`, `vars` and `children`;
 * a string where a map belongs names one entry.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseYamlInventory } from "./parse.ts";
 * const raw = parseYamlInventory({ all: { children: { web: { hosts: "web1" } } } }, "inv");
 * deepStrictEqual(raw.groups.get("web")?.hosts, ["web1"]);
 * ```
 */
export function parseYamlInventory(
  doc: unknown,
  what: string,
  into = emptyInventory(),
): RawInventory {
  if (!isMap(doc)) {
    throw new InputError(`${what}: a YAML inventory is a map of groups, got ${describe(doc)}`);
  }
  if ("plugin" in doc) {
    throw new InputError(`${what}: an inventory plugin configuration, not an inventory`);
  }
  for (const [name, body] of Object.entries(doc)) walkGroup(into, name, body, what);
  return into;
}

function walkGroup(inventory: RawInventory, name: string, body: unknown, what: string): void {
  if (body !== null && body !== undefined && !isMap(body)) return; // Ansible skips it with a warning
  const target = group(inventory, name);
  if (!body) return;
  const section = (key: string): Record<string, unknown> | undefined => {
    const value = body[key];
    if (typeof value === "string") return { [value]: null };
    if (value === null || value === undefined) return undefined;
    if (!isMap(value)) {
      throw new InputError(
        `${what}: group "${name}": "${key}" must be a map, got ${describe(value)}`,
      );
    }
    return value;
  };
  for (const [key, value] of Object.entries(section("vars") ?? {})) setGroupVar(target, key, value);
  for (const [child, childBody] of Object.entries(section("children") ?? {})) {
    walkGroup(inventory, child, childBody, what);
    addChild(inventory, name, child);
  }
  for (const [pattern, vars] of Object.entries(section("hosts") ?? {})) {
    if (vars !== null && vars !== undefined && !isMap(vars)) {
      throw new InputError(
        `${what}: host "${pattern}" in group "${name}": its variables must be a map`,
      );
    }
    try {
      addHosts(inventory, name, pattern, (vars ?? {}) as Record<string, unknown>);
    } catch (error) {
      throw new InputError(`${what}: ${(error as Error).message}`);
    }
  }
}

/**
 * One inventory file: YAML or JSON when it reads as a map, otherwise INI,
 * as Ansible tries its plugins.
 */
export function parseInventorySource(text: string, what: string): RawInventory {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { version: "1.1", merge: true });
  } catch (error) {
    if (!(error instanceof YAML.YAMLError)) throw error;
    return parseIni(text, what);
  }
  return isMap(doc) ? parseYamlInventory(doc, what) : parseIni(text, what);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "a list" : value === null ? "nothing" : `a ${typeof value}`;
}
