/**
 * Facts in a dry run: each fact is read through the host's predicted state
 * ({@linkcode PredictedState}), so a deploy and later operations see what
 * earlier operations would have done. A fact the dry run cannot predict is
 * `{ unknown }`; facts with no rule here are unknown once anything was
 * predicted to change (a command may read anything).
 *
 * @module
 */

import type { FileStat, ServiceFact, UserFact } from "../api/mod.ts";
import type { FactDefinition } from "../facts/fact.ts";
import { unitNames } from "../facts/systemd.ts";
import { type Crontab, managedEntries } from "../facts/cron.ts";
import type { OpContext } from "./context.ts";
import { fileKey, type FileState, resolveFile } from "./file_state.ts";
import {
  type Known,
  type Lookup,
  type PredictedState,
  StateUnknown,
  UNKNOWN,
} from "./predicted_state.ts";

/** A predicted fact: its value, or what made it unknown. */
export type FactPrediction<T> = { value: T } | { unknown: string };

/** A user account as a dry run knows it; null when absent. */
export type UserState = {
  uid: Known<number>;
  gid: Known<number>;
  home: Known<string>;
  shell: Known<string>;
  groups: Known<string[]>;
} | null;

/** A group as a dry run knows it; null when absent. */
export type GroupState = { gid: Known<number>; members: Known<string[]> } | null;

/** A package as a dry run knows it. */
export interface PackageState {
  installed: boolean;
  version?: Known<string>;
}

/** What a dry run knows of a service beyond the host's fact. */
export interface ServiceState {
  active?: Known<boolean | null>;
  enabled?: Known<boolean | null>;
  enabledState?: Known<string | null>;
}

/**
 * Facts that describe the machine rather than its configuration: no
 * operation but a reboot changes them, so a dry run reads them from the host
 * and a real run keeps them cached after a change.
 */
export const STABLE_FACTS: readonly string[] = [
  "server.os",
  "server.arch",
  "server.kernel",
  "systemd.running",
  "packages.manager",
];

/** The package managers whose packages a package fact lists (dnf and zypper share the rpm database). */
const MANAGERS_OF: Readonly<Record<string, readonly string[]>> = {
  "packages.deb": ["apt"],
  "packages.rpm": ["dnf", "zypper"],
  "packages.apk": ["apk"],
  "packages.pacman": ["pacman"],
};

/** The state key of a service. */
export function serviceKey(name: string): string {
  return `service:${unitNames(name).unit}`;
}

/** The predicted-state key of a user's crontab. */
export function cronKey(user: string): string {
  return `cron:${user}`;
}

/** Where commands live: a change there may change what `server.which` finds. */
const COMMAND_DIRS = ["file:/usr/", "file:/bin/", "file:/sbin/", "file:/opt/", "package:"];

type Host<T> = () => Promise<T>;

/** A lookup as a value: the prediction, the host's (through `keep`), or unknown. */
async function valueOf<T>(found: Lookup, host: Host<T>): Promise<FactPrediction<T>> {
  if (found.from === "state") {
    return found.value === UNKNOWN ? { unknown: found.cause } : { value: found.value as T };
  }
  const value = await host();
  if (!found.keep) return { value };
  const kept = found.keep(value);
  return kept === UNKNOWN ? { unknown: found.cause! } : { value: kept as T };
}

function allKnown(value: unknown): boolean {
  if (value === UNKNOWN) return false;
  if (Array.isArray(value)) return value.every(allKnown);
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    return Object.values(value).every(allKnown);
  }
  return true;
}

/** A map fact (users, groups, packages): the host's with the stated keys applied. */
async function mapFact<T>(
  state: PredictedState,
  prefix: string,
  host: Host<Record<string, T>>,
  apply: (out: Record<string, T>, name: string, value: unknown) => void,
): Promise<FactPrediction<Record<string, T>>> {
  // A region (an opaque command, a package's scripts) may have added any name.
  const region = state.regionOver([prefix]);
  if (region) return { unknown: region.cause };
  const out = { ...await host() };
  for (const key of state.keysUnder(prefix)) {
    const found = state.lookup(key);
    if (found.from !== "state" || !allKnown(found.value)) {
      return { unknown: found.cause ?? "an earlier change" };
    }
    apply(out, key.slice(prefix.length), found.value);
  }
  return { value: out };
}

function statOf(state: FileState): FileStat | null | typeof UNKNOWN {
  if (state.type === "absent") return null;
  // mtime (and a directory's size) cannot be predicted for a path a dry run changes.
  return UNKNOWN;
}

/** Rules for facts a dry run can predict, by name. */
const RULES: Readonly<
  Record<
    string,
    (
      state: PredictedState,
      args: unknown[],
      host: Host<unknown>,
    ) => Promise<FactPrediction<unknown>>
  >
> = {
  "server.hostname": (state, _args, host) => valueOf(state.lookup("hostname"), host),
  "server.os": async (state, _args, host) => {
    const written = state.keysUnder("file:/etc/os-release").length +
      state.keysUnder("file:/usr/lib/os-release").length;
    return written > 0 ? { unknown: "a change to the OS release file" } : { value: await host() };
  },
  "server.arch": async (_state, _args, host) => ({ value: await host() }),
  "server.kernel": (state, _args, host) => valueOf(state.lookup("kernel"), host),
  "cron.entries": async (state, args, host) => {
    // The connecting user's: unknown once any crontab was predicted (it may be that user's).
    if (args[0] === undefined) {
      const latest = state.touchedBy(["cron:"]);
      return latest ? { unknown: latest.cause } : { value: await host() };
    }
    const found = state.lookup(cronKey(args[0] as string));
    if (found.from !== "state" || found.value === UNKNOWN) return valueOf(found, host);
    return { value: managedEntries((found.value as Crontab).lines) };
  },
  "systemd.running": async (_state, _args, host) => ({ value: await host() }),
  "packages.manager": async (_state, _args, host) => ({ value: await host() }),
  "server.which": async (state, _args, host) => {
    const why = state.touchedBy(COMMAND_DIRS);
    return why ? { unknown: why.cause } : { value: await host() };
  },
  "server.users": (state, _args, host) =>
    mapFact(state, "user:", host as Host<Record<string, UserFact>>, (out, name, value) => {
      if (value === null) delete out[name];
      else out[name] = value as UserFact;
    }),
  "server.groups": (state, _args, host) =>
    mapFact(
      state,
      "group:",
      host as Host<Record<string, { gid: number; members: string[] }>>,
      (out, name, value) => {
        if (value === null) delete out[name];
        else out[name] = value as { gid: number; members: string[] };
      },
    ),
  // What server.mount stated (`mount:PATH`: the mount, or null when unmounted).
  "server.mounts": (state, _args, host) =>
    mapFact(state, "mount:", host as Host<Record<string, unknown>>, (out, path, value) => {
      if (value === null) delete out[path];
      else out[path] = value;
    }),
  "files.stat": async (state, args, host) => {
    const found = resolveFile(state, String(args[0]));
    if (found.from === "host" && !found.keep) return { value: await host() };
    if (found.from === "host" || found.value === UNKNOWN) return { unknown: found.cause! };
    const stat = statOf(found.value as FileState);
    return stat === UNKNOWN ? { unknown: found.cause } : { value: stat };
  },
  "files.sha256": async (state, args, host) => {
    const found = resolveFile(state, String(args[0]));
    if (found.from === "host" && !found.keep) return { value: await host() };
    if (found.from === "host" || found.value === UNKNOWN) return { unknown: found.cause! };
    const file = found.value as FileState;
    if (file.type === "absent" || file.type === "directory") return { value: null };
    if (file.type !== "file") return { unknown: found.cause };
    if (file.sha256 === undefined) return { value: await host() };
    return file.sha256 === UNKNOWN ? { unknown: found.cause } : { value: file.sha256 };
  },
  "packages.aptListsAge": async (state, _args, host) => {
    const found = state.lookup("aptlists");
    if (found.from === "host") return { value: await host() };
    if (found.value === UNKNOWN) return { unknown: found.cause };
    return { value: Math.round((Date.now() - (found.value as { at: number }).at) / 1000) };
  },
  "packages.aptPolicy": async (state, args, host) => {
    const lists = state.lookup("aptlists");
    if (lists.from === "state") return { unknown: lists.cause };
    const policy = {
      ...await host() as Record<string, { installed: string | null; candidate: string | null }>,
    };
    for (const name of args[0] as string[]) {
      const found = await valueOf<PackageState>(
        state.lookup(`package:apt:${name}`),
        () =>
          Promise.resolve({
            installed: policy[name]?.installed !== null,
            version: policy[name]?.installed ?? undefined,
          }),
      );
      if ("unknown" in found) return found;
      const entry = policy[name] ?? { installed: null, candidate: null };
      const version = found.value.installed
        ? (found.value.version === UNKNOWN
          ? entry.candidate
          : found.value.version ?? entry.installed)
        : null;
      policy[name] = { installed: version ?? null, candidate: entry.candidate };
    }
    return { value: policy };
  },
  "systemd.service": async (state, args, host) => {
    const predicted = await predictService(state, String(args[0]), host as Host<ServiceFact>);
    if ("unknown" in predicted) return predicted;
    const unknownField = Object.values(predicted.value).includes(UNKNOWN);
    return unknownField ? { unknown: predicted.cause! } : { value: predicted.value };
  },
};

/** Facts of named objects (null when absent) by their key prefix. */
const OBJECT_FACTS: Readonly<Record<string, string>> = {
  "docker.containers": "docker:container:",
  "postgres.roles": "postgres:role:",
  "postgres.databases": "postgres:database:",
};

for (const [fact, prefix] of Object.entries(OBJECT_FACTS)) {
  (RULES as Record<string, unknown>)[fact] = (
    state: PredictedState,
    _args: unknown[],
    host: Host<Record<string, unknown>>,
  ) =>
    mapFact(state, prefix, host, (out, name, value) => {
      if (value === null) delete out[name];
      else out[name] = value;
    });
}

/** Package facts by their key prefixes (pip and npm facts name a place: a venv, a directory). */
const PACKAGE_FACTS: Readonly<Record<string, (args: unknown[]) => readonly string[]>> = {
  ...Object.fromEntries(
    Object.entries(MANAGERS_OF).map((
      [fact, managers],
    ) => [fact, () => managers.map((manager) => `package:${manager}:`)]),
  ),
  "pip.packages": (args) => [`pip:${args[0] ?? ""}:`],
  "npm.packages": (args) => [`npm:${args[0] ?? ""}:`],
};

for (const [fact, prefixes] of Object.entries(PACKAGE_FACTS)) {
  (RULES as Record<string, unknown>)[fact] = async (
    state: PredictedState,
    args: unknown[],
    host: Host<Record<string, string>>,
  ) => {
    let read = host;
    let found: FactPrediction<Record<string, string>> = { unknown: "" };
    for (const prefix of prefixes(args)) {
      found = await mapFact(state, prefix, read, (out, name, value) => {
        const pkg = value as PackageState;
        if (!pkg.installed) delete out[name];
        else out[name] = pkg.version as string;
      });
      if ("unknown" in found) return found;
      const known = found.value;
      read = () => Promise.resolve(known);
    }
    return found;
  };
}

/**
 * A fact as the dry run predicts it: by its rule, or (with no rule) the
 * host's value while nothing was predicted to change, else unknown.
 */
export async function predictFact<A extends unknown[], T>(
  state: PredictedState,
  definition: FactDefinition<A, T>,
  args: A,
  host: () => Promise<T>,
): Promise<FactPrediction<T>> {
  const rule = RULES[definition.name];
  if (rule) return await rule(state, args, host as Host<unknown>) as FactPrediction<T>;
  const latest = state.touchedBy([""]);
  return latest === undefined ? { value: await host() } : { unknown: latest.cause };
}

/**
 * A fact as an operation reads it: the host's in a real run; in a dry run
 * the prediction, or a {@linkcode StateUnknown} thrown when there is none.
 */
export async function readFact<A extends unknown[], T>(
  ctx: OpContext,
  definition: FactDefinition<A, T>,
  ...args: A
): Promise<T> {
  if (!ctx.prediction) return await ctx.session.hostFact(definition, ...args);
  const predicted = await predictFact(
    ctx.prediction.state,
    definition,
    args,
    () => ctx.session.hostFact(definition, ...args),
  );
  if ("unknown" in predicted) throw new StateUnknown(definition.name, predicted.unknown);
  return predicted.value;
}

/** States a predicted value (no-op outside a dry run). */
export function predict(ctx: OpContext, key: string, value: unknown): void {
  ctx.prediction?.state.set(key, value, ctx.prediction.cause);
}

/** A keyed read: the prediction for `key`, else `host()`; throws StateUnknown when unknown. */
export async function readKey<T>(ctx: OpContext, key: string, host: () => Promise<T>): Promise<T> {
  if (!ctx.prediction) return await host();
  const found = await valueOf(ctx.prediction.state.lookup(key), host);
  if ("unknown" in found) throw new StateUnknown(key, found.unknown);
  return found.value;
}

/** A service fact whose running and enabled state a dry run may not know. */
export type PredictedService =
  & Omit<ServiceFact, "active" | "enabled" | "enabledState">
  & {
    active: Known<boolean | null>;
    enabled: Known<boolean | null>;
    enabledState: Known<string | null>;
  };

/**
 * A service as a dry run predicts it: the host's fact with what earlier
 * operations stated of it, field by field (unknown fields where they stated
 * nothing), and whether there is an init script from the predicted file. A
 * service whose init script or unit file an earlier operation wrote, with
 * nothing stated of the service since, is unknown as a whole.
 */
export async function predictService(
  state: PredictedState,
  name: string,
  host: Host<ServiceFact>,
): Promise<{ value: PredictedService; cause?: string } | { unknown: string }> {
  const { unit, script } = unitNames(name);
  const files = state.touchedBy(
    [
      `/etc/init.d/${script}`,
      `/etc/systemd/system/${unit}`,
      `/lib/systemd/system/${unit}`,
      `/usr/lib/systemd/system/${unit}`,
    ].map(fileKey),
  );
  const found = state.lookup(serviceKey(name));
  if (files !== undefined && (found.from === "host" || found.seq < files.seq)) {
    return { unknown: files.cause };
  }
  if (found.from === "host" && found.keep) return { unknown: found.cause! };
  if (found.from === "state" && found.value === UNKNOWN) return { unknown: found.cause };
  const fact: PredictedService = { ...await host() };
  if (files !== undefined) {
    // Whether there is an init script to start it with, from the predicted file.
    const init = resolveFile(state, `/etc/init.d/${script}`);
    if (init.from === "state") {
      const file = init.value as Known<FileState>;
      if (file === UNKNOWN || file.mode === UNKNOWN) return { unknown: init.cause };
      fact.initScript = file.type === "file" && file.mode !== undefined &&
        (Number.parseInt(file.mode, 8) & 0o111) !== 0;
    }
  }
  if (found.from === "host") return { value: fact };
  Object.assign(fact, found.value as ServiceState);
  return { value: fact, cause: found.cause };
}
