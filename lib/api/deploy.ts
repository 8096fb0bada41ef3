/**
 * What a deploy module exports and what its default export receives.
 *
 * ```ts
 * import type { DeployContext } from "./deploy.ts";
 * async function deploy({ ops, host }: DeployContext): Promise<void> {
 *   await ops.server.shell(`echo hello from ${host.name}`);
 * }
 * typeof deploy; // "function"
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { Facts } from "./operations.ts";
import type { Operations } from "./operations.ts";
import type { OperationResult } from "./result.ts";
import type { Command, Interpolation, SecretValue } from "./values.ts";

/**
 * The host a deploy runs on. `Data` is the shape of its data, as the deploy
 * declares it (`DeployContext<{ port: number }>`); skiff does not check it.
 */
export interface DeployHost<Data = Record<string, unknown>> {
  /** Inventory name. */
  name: string;
  /** Merged host data; secrets are SecretValue (another host's, in `ctx.inventory`, a `MaskedSecret`). */
  data: Data;
  /** Groups it belongs to. */
  groups: string[];
}

/**
 * Every host of the run (after `--limit`), as `ctx.inventory` shows it.
 * Other hosts' secrets are `MaskedSecret` markers; the running
 * host's own secrets stay usable.
 *
 * ```ts
 * import type { DeployInventory } from "./deploy.ts";
 * function addresses(inventory: DeployInventory): string[] {
 *   return inventory.group("web").map((web) => String(web.data.ssh_hostname ?? web.name));
 * }
 * addresses({ hosts: [], group: () => [{ name: "web1", data: {}, groups: ["web"] }] }); // ["web1"]
 * ```
 */
export interface DeployInventory {
  /** Every host of the run, in inventory order. */
  hosts: DeployHost[];
  /** The hosts of group `name` (empty when there is none). */
  group(name: string): DeployHost[];
}

/** Options of `ctx.shared`. */
export interface SharedOptions {
  /** Seconds to wait for another host to share the value; absent waits while any could. */
  timeout?: number;
}

/** What the plan of an operation a deploy defines receives first. */
export interface OperationTools {
  /** Facts of the host (read-only; asked together, they share a round trip). */
  facts: Facts;
  /** The quoting tagged template for commands. */
  sh(strings: TemplateStringsArray, ...values: Interpolation[]): Command;
  /** Makes a value secret (masked in every output). */
  secret(value: string): SecretValue;
}

/**
 * What the plan of a defined operation returns: nothing to do, or the
 * commands that do it (run in order by skiff, which reports, retries,
 * dry-runs and masks them as it does a built-in operation's).
 */
export type PlannedOperation =
  | { changed: false; description: string }
  | {
    /** Shell commands (text, or `sh` commands), run in order; the first failure fails the operation. */
    commands: (string | Command)[];
    /** One line saying what it changes (`would` is implied in a dry run). */
    description: string;
    /** A diff to show with `--diff` (masked). */
    diff?: string;
    /**
     * What the commands may change, for the operations after it in a dry
     * run: these absolute paths (each and everything under it) and these
     * kinds of state. Without it, anything may differ after it, so every
     * later operation reports "depends on an earlier change".
     */
    effect?: PlannedEffect;
  };

/** What a defined operation's commands may change ({@linkcode PlannedOperation}'s `effect`). */
export interface PlannedEffect {
  /** Absolute paths it writes: each, and everything under it. */
  paths?: string[];
  /** It adds, changes or removes accounts. */
  users?: boolean;
  /** It adds, changes or removes groups. */
  groups?: boolean;
  /** It installs or removes packages. */
  packages?: boolean;
  /** It starts, stops, enables or disables services. */
  services?: boolean;
  /** It sets kernel parameters. */
  sysctl?: boolean;
}

/**
 * What a deploy's default export receives. `Data` types `host.data` and
 * `Config` types `config`, as the deploy declares them (skiff does not check
 * them: they say what the fleet should hold, so no value needs a cast).
 *
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import type { DeployContext } from "./deploy.ts";
 * interface Web {
 *   app_port: number;
 *   server_names: string[];
 * }
 * function listen({ host }: Pick<DeployContext<Web>, "host">): string {
 *   return `listen ${host.data.app_port + 1}; server_name ${host.data.server_names.join(" ")};`;
 * }
 * const host = { name: "web1", data: { app_port: 8079, server_names: ["a", "b"] }, groups: [] };
 * deepStrictEqual(listen({ host }), "listen 8080; server_name a b;");
 * ```
 */
export interface DeployContext<Data = Record<string, unknown>, Config = Record<string, unknown>> {
  /** The host. */
  host: DeployHost<Data>;
  /** The fleet document's configuration (keys outside `fleet:`). */
  config: Config;
  /** Operations. */
  ops: Operations;
  /** Facts. */
  facts: Facts;
  /** True in a dry run: operations report and change nothing. */
  dryRun: boolean;
  /** Writes a line to the run's output for this host. */
  log(message: string): void;
  /** Makes a value secret (masked in every output). */
  secret(value: string): SecretValue;
  /** The quoting tagged template for commands: ``sh`rm -f ${path}` ``. */
  sh(strings: TemplateStringsArray, ...values: Interpolation[]): Command;
  /** Every host of the run, with name, groups and data (other hosts' secrets masked). */
  inventory: DeployInventory;
  /**
   * Waits until every host of the current batch still running this deploy
   * has reached the barrier `name`, finished, or failed. A host that fails
   * or ends never leaves the others waiting.
   *
   * ```ts ignore
   * await ctx.ops.server.shell("pg_migrate");
   * await ctx.barrier("db-ready"); // no host restarts its app before every host migrated
   * ```
   */
  barrier(name: string): Promise<void>;
  /**
   * Runs `fn` on the first host to arrive, once per run (across batches);
   * every other host waits and receives the same (structured-clone) value. If
   * `fn` throws, every caller's promise rejects with that message.
   *
   * ```ts ignore
   * const version = await ctx.runOnce("schema", async () => {
   *   await ctx.ops.server.shell("migrate up");
   *   return "v42";
   * });
   * ```
   */
  runOnce<T>(key: string, fn: () => T | Promise<T>): Promise<T>;
  /**
   * Shares a (structured-clone) value with every host of the run under
   * `key`; hosts waiting in `ctx.shared(key)` receive it. Awaiting it is optional.
   */
  share(key: string, value: unknown): Promise<void>;
  /**
   * Waits for the value another host shares under `key`. Rejects with a
   * clear error after `options.timeout` seconds, or when no host still
   * running could share it (the sharer failed or ended without sharing).
   *
   * ```ts ignore
   * if (ctx.host.groups.includes("leader")) await ctx.share("join-token", token);
   * else token = await ctx.shared<string>("join-token", { timeout: 60 });
   * ```
   */
  shared<T = unknown>(key: string, options?: SharedOptions): Promise<T>;
  /**
   * Registers handler `name`. A notified handler runs once, in registration
   * order, when the deploy module ends on this host (or at
   * `ctx.flushHandlers()`); not on a host that failed unless
   * `--force-handlers`. In a dry run its operations are dry runs too.
   *
   * ```ts ignore
   * ctx.handler("reload nginx", () => ctx.ops.systemd.service("nginx", { reloaded: true }));
   * await ctx.ops.files.put("nginx.conf", "/etc/nginx/nginx.conf", { _notify: "reload nginx" });
   * ```
   */
  handler(name: string, fn: () => unknown): void;
  /** Notifies handler `name` (registered with `ctx.handler`): it runs once at the end. */
  notify(name: string): void;
  /** Runs the handlers notified so far, now, each once, in registration order. */
  flushHandlers(): Promise<void>;
  /**
   * Defines an operation (pyinfra's `@operation`): `plan` looks at facts and
   * returns `{ changed: false, description }` or `{ commands, description,
   * diff? }`; skiff runs the commands, so the operation gets dry run, diff,
   * `--json`, retries, `_if`, `_sudo`, `_notify`, `_run_once` and reporting
   * like a built-in. Control arguments go in the last object argument.
   *
   * ```ts ignore
   * const flag = ctx.defineOperation("app.flag", async ({ facts, sh }, path: string) => {
   *   if (await facts.files.stat(path)) return { changed: false, description: "already set" };
   *   return { commands: [sh`touch ${path}`], description: `create ${path}` };
   * });
   * await flag("/etc/app/fast", { _sudo: true });
   * ```
   */
  defineOperation<Args extends unknown[]>(
    name: string,
    plan: (tools: OperationTools, ...args: Args) => PlannedOperation | Promise<PlannedOperation>,
  ): (...args: [...Args] | [...Args, OpControl]) => Promise<OperationResult>;
}

/** The shape of a deploy module (`Data` and `Config` as in {@linkcode DeployContext}). */
export interface DeployModule<Data = Record<string, unknown>, Config = Record<string, unknown>> {
  /** The deploy function. */
  default: (ctx: DeployContext<Data, Config>) => Promise<void> | void;
  /** The deploy's name for fleet restrictions (default: the file stem). */
  name?: string;
  /** Control arguments applied to every operation of this deploy. */
  defaults?: OpControl;
}
