/**
 * The `ansible` boat: an Ansible inventory (INI, YAML or JSON) with the
 * `group_vars/` and `host_vars/` beside it, read as `ansible-inventory`
 * reads it, then mapped to skiff hosts and groups.
 *
 * @module
 */

import { errorMessage, InputError } from "../../core/errors.ts";
import { parseInventorySource, parseYaml11 } from "./ansible/parse.ts";
import { type AnsibleView, resolveInventory, type VarsFiles } from "./ansible/resolve.ts";
import { toBoatHosts } from "./ansible/to_skiff.ts";
import type { BoatHosts } from "./boat_hosts.ts";

export { expandRanges } from "./ansible/host_pattern.ts";

/** The file reads the boat makes; tests and the sandbox pass their own. */
export interface InventoryFiles {
  /** The text of a file. */
  readText(path: string): Promise<string>;
  /** A directory's entries, or null when there is no such directory. */
  readDir(path: string): Promise<{ name: string; isDirectory: boolean }[] | null>;
}

/** Real files. */
export const DENO_FILES: InventoryFiles = {
  readText: (path) => Deno.readTextFile(path),
  readDir: async (path) => {
    try {
      const out: { name: string; isDirectory: boolean }[] = [];
      for await (const entry of Deno.readDir(path)) out.push(entry);
      return out;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return null;
      }
      throw error;
    }
  },
};

const VARS_EXTENSIONS = ["", ".yml", ".yaml", ".json"];

/** The variables `group_vars/NAME` or `host_vars/NAME` hold: a file, or a directory of files. */
async function varsFor(
  dir: string,
  name: string,
  files: InventoryFiles,
): Promise<Record<string, unknown>> {
  const entries = await files.readDir(dir);
  if (!entries) return {};
  let vars: Record<string, unknown> = {};
  const paths: string[] = [];
  for (const entry of entries.toSorted((a, b) => (a.name < b.name ? -1 : 1))) {
    const stem = entry.name.replace(/\.(ya?ml|json)$/, "");
    if (stem !== name) continue;
    if (entry.isDirectory) paths.push(...await filesUnder(`${dir}/${entry.name}`, files));
    else if (VARS_EXTENSIONS.some((ext) => entry.name === `${name}${ext}`)) {
      paths.push(`${dir}/${entry.name}`);
    }
  }
  for (const path of paths) {
    const doc = parseYaml11(await files.readText(path), path);
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== "object" || Array.isArray(doc)) {
      throw new InputError(`${path}: variables must be a map`);
    }
    vars = { ...vars, ...(doc as Record<string, unknown>) };
  }
  return vars;
}

async function filesUnder(dir: string, files: InventoryFiles): Promise<string[]> {
  const out: string[] = [];
  const entries = (await files.readDir(dir)) ?? [];
  for (const entry of entries.toSorted((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith(".")) continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await filesUnder(path, files));
    else if (/\.(ya?ml|json)$/.test(entry.name) || !entry.name.includes(".")) out.push(path);
  }
  return out;
}

/**
 * Ansible's view of an inventory file and the `group_vars/`/`host_vars/`
 * beside it (what `ansible-inventory --list` prints).
 */
export async function ansibleView(
  path: string,
  files: InventoryFiles = DENO_FILES,
): Promise<AnsibleView> {
  const raw = parseInventorySource(await files.readText(path), path);
  const dir = path.slice(0, path.lastIndexOf("/")) || ".";
  const vars: {
    groups: Map<string, Record<string, unknown>>;
    hosts: Map<string, Record<string, unknown>>;
  } = {
    groups: new Map(),
    hosts: new Map(),
  };
  for (const name of raw.groups.keys()) {
    vars.groups.set(name, await varsFor(`${dir}/group_vars`, name, files));
  }
  for (const name of raw.hostVars.keys()) {
    vars.hosts.set(name, await varsFor(`${dir}/host_vars`, name, files));
  }
  return resolveInventory(raw, vars satisfies VarsFiles);
}

/** Loads an Ansible inventory as skiff hosts and groups. */
export async function loadAnsibleInventory(
  path: string,
  files: InventoryFiles = DENO_FILES,
): Promise<BoatHosts> {
  try {
    return toBoatHosts(await ansibleView(path, files), path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: ${errorMessage(error)}`);
  }
}

/**
 * Parses an Ansible inventory's text alone (no `group_vars/` beside it).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseAnsibleInventory } from "./ansible.ts";
 * deepStrictEqual(
 *   parseAnsibleInventory("[web]\nweb1 ansible_host=10.0.0.5 ansible_port=2222\n", "inv").hosts.web1,
 *   { ssh_hostname: "10.0.0.5", ssh_port: 2222 },
 * );
 * ```
 */
export function parseAnsibleInventory(text: string, what: string): BoatHosts {
  const raw = parseInventorySource(text, what);
  return toBoatHosts(resolveInventory(raw, { groups: new Map(), hosts: new Map() }), what);
}
