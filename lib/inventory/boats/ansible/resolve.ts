/**
 * Ansible's view of an inventory, as `ansible-inventory --list` prints it:
 * `ungrouped` filled, group depth and priority, and each host's variables by
 * Ansible's precedence (all < groups by depth, priority, name < group_vars
 * files likewise < the host's own < host_vars files; later replaces).
 *
 * @module
 */

import { InputError } from "../../../core/errors.ts";
import type { RawInventory } from "./parse.ts";

/** Variables from `group_vars/` and `host_vars/` beside the inventory, in load order. */
export interface VarsFiles {
  groups: ReadonlyMap<string, Record<string, unknown>>;
  hosts: ReadonlyMap<string, Record<string, unknown>>;
}

/** What `ansible-inventory --list` reports. */
export interface AnsibleView {
  /** Every host's variables after precedence. */
  hostvars: Record<string, Record<string, unknown>>;
  /** Every group (all and ungrouped too) with its direct hosts and children. */
  groups: Record<string, { hosts: string[]; children: string[] }>;
}

/** Throws on a children cycle, naming it. */
function checkCycles(inventory: RawInventory): void {
  const state = new Map<string, "open" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "open") {
      const cycle = [...path.slice(path.indexOf(name)), name].join(" -> ");
      throw new InputError(`Ansible inventory: groups form a cycle: ${cycle}`);
    }
    if (state.get(name) === "done") return;
    state.set(name, "open");
    for (const child of inventory.groups.get(name)?.children ?? []) visit(child, [...path, name]);
    state.set(name, "done");
  };
  for (const name of inventory.groups.keys()) visit(name, []);
}

/** Each group's depth: `all` 0, a child one more than its deepest parent. */
function depths(inventory: RawInventory): Map<string, number> {
  const parents = new Map<string, string[]>();
  for (const [name, group] of inventory.groups) {
    for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), name]);
  }
  const out = new Map<string, number>();
  const depth = (name: string): number => {
    if (name === "all") return 0;
    const known = out.get(name);
    if (known !== undefined) return known;
    const value = Math.max(0, ...(parents.get(name) ?? ["all"]).map(depth)) + 1;
    out.set(name, value);
    return value;
  };
  for (const name of inventory.groups.keys()) out.set(name, depth(name));
  return out;
}

/**
 * Resolves an inventory as Ansible does.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseIni } from "./parse.ts";
 * import { resolveInventory } from "./resolve.ts";
 * const raw = parseIni("lone\n[web]\nweb1\n[web:vars]\nx=1\n[all:vars]\nx=0\n", "inv");
 * const view = resolveInventory(raw, { groups: new Map(), hosts: new Map() });
 * deepStrictEqual(view.hostvars, { lone: { x: 0 }, web1: { x: 1 } });
 * deepStrictEqual(view.groups.ungrouped.hosts, ["lone"]);
 * ```
 */
export function resolveInventory(inventory: RawInventory, files: VarsFiles): AnsibleView {
  checkCycles(inventory);
  const depth = depths(inventory);
  const topLevel = [...inventory.groups.keys()].filter((name) =>
    name !== "all" &&
    ![...inventory.groups.entries()].some(([other, group]) =>
      other !== "all" && group.children.includes(name)
    )
  );
  const all = inventory.groups.get("all")!;
  for (const name of topLevel) if (!all.children.includes(name)) all.children.push(name);
  all.children.sort((a, b) => (a === "ungrouped" ? -1 : b === "ungrouped" ? 1 : 0));
  // Direct groups of every host, then ungrouped as Ansible reconciles it.
  const direct = new Map<string, Set<string>>();
  for (const [name, group] of inventory.groups) {
    for (const host of group.hosts) direct.set(host, (direct.get(host) ?? new Set()).add(name));
  }
  const ungrouped = inventory.groups.get("ungrouped")!;
  for (const host of inventory.hostVars.keys()) {
    const mine = [...(direct.get(host) ?? [])].filter((g) => g !== "all" && g !== "ungrouped");
    const listed = ungrouped.hosts.includes(host);
    if (mine.length > 0 && listed) ungrouped.hosts.splice(ungrouped.hosts.indexOf(host), 1);
    if (mine.length === 0 && !listed) ungrouped.hosts.push(host);
  }
  const ancestors = (name: string, out = new Set<string>()): Set<string> => {
    for (const [parent, group] of inventory.groups) {
      if (group.children.includes(name) && !out.has(parent)) {
        out.add(parent);
        ancestors(parent, out);
      }
    }
    return out;
  };
  const order = (a: string, b: string) =>
    depth.get(a)! - depth.get(b)! ||
    inventory.groups.get(a)!.priority - inventory.groups.get(b)!.priority ||
    (a < b ? -1 : a > b ? 1 : 0);
  const hostvars: Record<string, Record<string, unknown>> = {};
  for (const host of inventory.hostVars.keys()) {
    const groups = new Set<string>();
    for (const name of direct.get(host) ?? []) {
      groups.add(name);
      for (const parent of ancestors(name)) groups.add(parent);
    }
    if (ungrouped.hosts.includes(host)) groups.add("ungrouped");
    groups.delete("all");
    const sorted = [...groups].sort(order);
    let vars: Record<string, unknown> = { ...all.vars };
    for (const name of sorted) vars = { ...vars, ...inventory.groups.get(name)!.vars };
    vars = { ...vars, ...files.groups.get("all") };
    for (const name of sorted) vars = { ...vars, ...files.groups.get(name) };
    vars = { ...vars, ...inventory.hostVars.get(host), ...files.hosts.get(host) };
    hostvars[host] = vars;
  }
  const groups: AnsibleView["groups"] = {};
  for (const [name, group] of inventory.groups) {
    groups[name] = { hosts: [...group.hosts], children: [...group.children] };
  }
  groups.all.hosts = [];
  return { hostvars, groups };
}
