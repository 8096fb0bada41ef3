/**
 * Boats: dynamic inventories. Built in: `command` (a local command printing
 * hosts as JSON or YAML), `file` (a JSON/YAML host map), `terraform`
 * (`terraform output -json`), `ansible` (an INI or YAML inventory). A boat
 * may also be a user module exporting `{ name, hosts(config) }`.
 *
 * @module
 */

import YAML from "yaml";
import { InputError } from "../../core/errors.ts";
import type { ProcessRunner } from "../../process.ts";
import { DENO_FILES, loadAnsibleInventory } from "./ansible.ts";
import type { BoatHosts } from "./boat_hosts.ts";

export type { BoatHosts };

/** What a boat needs from the outside. */
export interface BoatContext {
  /** Runs local processes (for `command` and `terraform`). */
  runProcess: ProcessRunner;
  /** The fleet file's directory, for relative paths. */
  dir: string;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/** The Boat shape user modules export. */
export interface Boat {
  /** Its provider name. */
  name: string;
  /** Optional check that its source is reachable. */
  checkConnection?(config: Record<string, unknown>): Promise<boolean> | boolean;
  /** The hosts, as a map or an async iterable of [name, data]. */
  hosts(
    config: Record<string, unknown>,
  ):
    | Promise<Record<string, Record<string, unknown>>>
    | AsyncIterable<[string, Record<string, unknown>]>;
}

function resolvePath(path: unknown, dir: string, what: string): string {
  if (typeof path !== "string" || path === "") {
    throw new InputError(`${what}: config.path must be a file path`);
  }
  return path.startsWith("/") ? path : `${dir}/${path}`;
}

/** Checks a parsed host map: name → data map (or null). */
export function toHostMap(value: unknown, what: string): Record<string, Record<string, unknown>> {
  if (Array.isArray(value)) {
    const out: Record<string, Record<string, unknown>> = {};
    for (const item of value) {
      if (typeof item === "string") out[item] = {};
      else {throw new InputError(
          `${what}: expected host names in the list, got ${JSON.stringify(item)}`,
        );}
    }
    return out;
  }
  if (typeof value !== "object" || value === null) {
    throw new InputError(
      `${what}: expected a map of host name to data, got ${JSON.stringify(value)?.slice(0, 60)}`,
    );
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, data] of Object.entries(value)) {
    if (data !== null && (typeof data !== "object" || Array.isArray(data))) {
      throw new InputError(
        `${what}: host "${name}": expected a map of data, got ${
          JSON.stringify(data)?.slice(0, 60)
        }`,
      );
    }
    out[name] = (data ?? {}) as Record<string, unknown>;
  }
  return out;
}

function parseStructured(text: string, what: string): unknown {
  try {
    return YAML.parse(text); // YAML 1.2 is a superset of JSON
  } catch (error) {
    throw new InputError(
      `${what}: the output is neither JSON nor YAML: ${(error as Error).message.split("\n")[0]}`,
    );
  }
}

async function runCommand(
  command: unknown,
  ctx: BoatContext,
  timeout: number,
  what: string,
): Promise<string> {
  if (typeof command !== "string" || command === "") {
    throw new InputError(`${what}: config.command must be a command`);
  }
  const result = await ctx.runProcess(["sh", "-c", command], {
    cwd: ctx.dir,
    timeout,
    signal: ctx.signal,
  });
  if (result.timedOut) {
    throw new InputError(`${what}: the command did not finish within ${timeout} s: ${command}`);
  }
  if (result.exitCode !== 0) {
    const tail = result.output.stderrLines.slice(-3).join("\n");
    throw new InputError(
      `${what}: the command failed with exit code ${result.exitCode}: ${command}${
        tail ? `\n${tail}` : ""
      }`,
    );
  }
  return result.output.stdout;
}

/** `terraform output -json` output to hosts, with pyinfra-style key lookup (`output_key: a.b`). */
export function terraformHosts(output: unknown, key: string | undefined, what: string): BoatHosts {
  let value = output;
  for (const part of (key ?? "").split(".").filter(Boolean)) {
    if (typeof value !== "object" || value === null || !(part in value)) {
      throw new InputError(`${what}: output key "${key}" not found (at "${part}")`);
    }
    value = (value as Record<string, unknown>)[part];
    if (typeof value === "object" && value !== null && "value" in value && "type" in value) {
      value = (value as { value: unknown }).value;
    }
  }
  if (!Array.isArray(value)) {
    throw new InputError(`${what}: expected a list of hosts at "${key ?? ""}"`);
  }
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const item of value) {
    if (typeof item === "string") hosts[item] = { ssh_hostname: item };
    else if (typeof item === "object" && item !== null) {
      const record = item as Record<string, unknown>;
      const name = String(record.name ?? record.ssh_hostname ?? "");
      if (!name) throw new InputError(`${what}: a host entry has neither name nor ssh_hostname`);
      const data = { ...record };
      delete data.name;
      hosts[name] = data;
    } else throw new InputError(`${what}: unexpected host entry ${JSON.stringify(item)}`);
  }
  return { hosts, groups: {} };
}

/** Runs a built-in boat. */
export async function runBuiltinBoat(
  provider: string,
  config: Record<string, unknown>,
  ctx: BoatContext,
  readText: (path: string) => Promise<string>,
): Promise<BoatHosts> {
  const what = `boat ${provider}`;
  const timeout = typeof config.timeout === "number" ? config.timeout : 30;
  switch (provider) {
    case "command": {
      const text = await runCommand(config.command, ctx, timeout, what);
      return { hosts: toHostMap(parseStructured(text, what), what), groups: {} };
    }
    case "file": {
      const path = resolvePath(config.path, ctx.dir, what);
      return {
        hosts: toHostMap(
          parseStructured(await readText(path), `${what} ${path}`),
          `${what} ${path}`,
        ),
        groups: {},
      };
    }
    case "terraform": {
      const text = typeof config.path === "string"
        ? await readText(resolvePath(config.path, ctx.dir, what))
        : await runCommand(config.command ?? "terraform output -json", ctx, timeout, what);
      return terraformHosts(
        parseStructured(text, what),
        config.output_key as string | undefined,
        what,
      );
    }
    case "ansible": {
      const path = resolvePath(config.path, ctx.dir, what);
      return await loadAnsibleInventory(path, { ...DENO_FILES, readText });
    }
    default:
      throw new InputError(
        `Unknown boat provider "${provider}": built in are command, file, terraform and ansible, or give a path to a .ts module`,
      );
  }
}
