/**
 * What an operation may change, as its definition declares it
 * (`OperationSpec.mayChange`). A dry run uses it when it cannot state an
 * operation's effect exactly: the prediction read something unknown, the
 * deploy read an unknown fact before it, or the operation is opaque. What
 * the call alone determines (a directory that will exist with the mode
 * asked for, a service that will run) is stated; the rest becomes unknown,
 * so what reads it later reports `would change (depends on an earlier
 * change)` rather than a guess.
 *
 * @module
 */

import { normalizeMode } from "./context.ts";
import { ABSENT, fileKey } from "./file_state.ts";
import { SYSCTL_FILE } from "./sysctl.ts";
import { type PredictedState, UNKNOWN } from "./predicted_state.ts";
import type { PackageState, UserState } from "./predicted_facts.ts";
import { serviceKey } from "./predicted_facts.ts";

/** A call's arguments as the dispatcher split them. */
export interface Call {
  readonly positional: readonly unknown[];
  readonly options: Readonly<Record<string, unknown>>;
}

/** Marks what an operation may change as unknown. */
export type MayChange = (state: PredictedState, call: Call, cause: string) => void;

/** An opaque operation (`server.shell`): after it anything may differ. */
export const ANYTHING: MayChange = (state, _call, cause) => state.forget("", cause);

/** Nothing on the host (`files.get` writes on the controller). */
export const NOTHING: MayChange = () => {};

/**
 * Where the package managers of common distributions never write (Debian
 * policy and the FHS keep packages out of them): a package's maintainer
 * scripts leave these alone.
 */
export const OUTSIDE_PACKAGES = [
  "/home",
  "/root",
  "/srv",
  "/tmp",
  "/var/tmp",
  "/usr/local",
  "/mnt",
  "/media",
];

function argument(call: Call, at: number | string): unknown {
  return typeof at === "number" ? call.positional[at] : call.options[at];
}

/**
 * The path named by the argument `at` (and, with `below`, everything under
 * it when `below(call)` holds).
 */
export function pathAt(at: number | string, below?: (call: Call) => boolean): MayChange {
  return (state, call, cause) => {
    const path = argument(call, at);
    if (typeof path !== "string") return;
    state.set(fileKey(path), UNKNOWN, cause);
    if (below?.(call)) state.forget(`${fileKey(path)}/`, cause);
  };
}

/** Several declarations in one. */
export function all(...parts: MayChange[]): MayChange {
  return (state, call, cause) => parts.forEach((part) => part(state, call, cause));
}

/** Keys computed from the call, made unknown. */
export function keys(of: (call: Call) => readonly string[]): MayChange {
  return (state, call, cause) => {
    for (const key of of(call)) {
      if (key.endsWith(":") || key.endsWith("/")) state.forget(key, cause);
      else state.set(key, UNKNOWN, cause);
    }
  };
}

/**
 * What installing or removing packages with `manager` ("apt", "dnf", "apk",
 * or "" for any) may change besides the packages named: other packages
 * (dependencies; an installed one stays installed), services (maintainer
 * scripts start them), accounts (they add system users; existing ones stay),
 * sysctl values, and files outside {@linkcode OUTSIDE_PACKAGES}.
 */
export function packageChange(
  state: PredictedState,
  manager: string,
  cause: string,
  { removing = false, simulated = false }: { removing?: boolean; simulated?: boolean } = {},
): void {
  // The manager's own simulation says exactly which packages change; else
  // any may, as a dependency: an installed one stays (with any version).
  const keep = (host: unknown) => {
    const known = host as PackageState;
    if (removing) return known.installed ? UNKNOWN : known;
    return known.installed ? { installed: true, version: UNKNOWN } : UNKNOWN;
  };
  if (!simulated) {
    state.forget(`package:${manager}${manager ? ":" : ""}`, cause, { rule: { keep } });
  }
  state.forget("service:", cause);
  state.forget("sysctl:", cause);
  const existing = { keep: (host: unknown) => (host as UserState) === null ? UNKNOWN : host };
  state.forget("user:", cause, { rule: existing });
  state.forget("group:", cause, { rule: existing });
  for (const kind of ["file", "git"]) {
    state.forget(`${kind}:/`, cause, { except: OUTSIDE_PACKAGES.map((dir) => `${kind}:${dir}`) });
  }
}

/**
 * `apt.packages`-style operations of one manager: what any package change
 * may touch, then the named packages installed (or removed).
 */
export function packagesOf(manager: string): MayChange {
  return (state, call, cause) => {
    const removing = call.options.present === false;
    packageChange(state, manager, cause, { removing });
    const named = call.options.packages;
    for (const spec of typeof named === "string" ? [named] : Array.isArray(named) ? named : []) {
      if (typeof spec !== "string") continue;
      const at = manager === "dnf" ? -1 : spec.indexOf("=");
      const name = at > 0 ? spec.slice(0, at) : spec;
      const version = at > 0 ? spec.slice(at + 1) : UNKNOWN;
      state.set(
        `package:${manager}:${name}`,
        removing ? { installed: false } : { installed: true, version },
        cause,
      );
    }
  };
}

/** What a reboot may change: services, sysctl values, the kernel, the running host name, /run and /tmp. */
export const REBOOT: MayChange = (state, _call, cause) => {
  for (const prefix of ["service:", "sysctl:", "file:/run", "file:/var/run", "file:/tmp"]) {
    state.forget(prefix, cause);
  }
  state.set("kernel", UNKNOWN, cause);
  state.set("hostname", UNKNOWN, cause);
};

/** A service named by the option `at`. */
export function serviceAt(at: number | string): MayChange {
  return keys((call) => {
    const name = argument(call, at);
    return typeof name === "string" ? [serviceKey(name)] : [];
  });
}

/** `server.user`: the account, group memberships, and the home directory with what is in it. */
export const USER: MayChange = all(
  keys((call) => [`user:${call.options.name}`, "group:"]),
  (state, call, cause) => {
    const home = call.options.home ?? `/home/${call.options.name}`;
    pathAt(0, () => true)(state, { positional: [home], options: {} }, cause);
  },
);

/** `server.sysctl`: the value, and the file `persist` writes. */
export const SYSCTL: MayChange = keys((call) => [
  `sysctl:${call.positional[0]}`,
  fileKey(String(call.options.file ?? SYSCTL_FILE)),
]);

/** `apt.repo`: the sources file and the package lists. */
export const APT_REPO: MayChange = keys((call) => [
  fileKey(`/etc/apt/sources.list.d/${call.options.name}.sources`),
  "aptlists",
]);

/** `systemd.unit`: the unit file and the service's state. */
export const SYSTEMD_UNIT: MayChange = all(
  serviceAt(0),
  keys((call) => [fileKey(`${call.options.path ?? "/etc/systemd/system"}/${call.positional[0]}`)]),
);

/** `git.repo`: the working copy and everything in it. */
export const GIT_REPO: MayChange = all(
  keys((call) => [`git:${call.options.dest}`]),
  pathAt("dest", () => true),
);

/** The attributes a call asks for; unknown where it asks nothing. */
function asked(options: Readonly<Record<string, unknown>>) {
  const mode = typeof options.mode === "string" || typeof options.mode === "number"
    ? normalizeMode(options.mode)
    : undefined;
  return {
    mode: mode ?? UNKNOWN,
    user: typeof options.user === "string" ? options.user : UNKNOWN,
    group: typeof options.group === "string" ? options.group : UNKNOWN,
  };
}

/** `files.directory`: then a directory with the attributes asked for, or nothing there. */
export const DIRECTORY: MayChange = (state, call, cause) => {
  const path = call.positional[0];
  if (typeof path !== "string") return;
  const below = `${fileKey(path)}/`;
  if (call.options.present === false) {
    state.set(fileKey(path), ABSENT, cause);
    state.forget(below, cause, { rule: { value: ABSENT } });
    return;
  }
  if (call.options.recursive) state.forget(below, cause);
  state.set(fileKey(path), { type: "directory", ...asked(call.options) }, cause);
};

/** `files.file`: then a regular file (its content unknown) with the attributes asked for, or none. */
export const FILE: MayChange = (state, call, cause) => {
  const path = call.positional[0];
  if (typeof path !== "string") return;
  state.set(
    fileKey(path),
    call.options.present === false
      ? ABSENT
      : { type: "file", ...asked(call.options), content: UNKNOWN, sha256: UNKNOWN },
    cause,
  );
};

/** `files.link`: then a link to the target, or none. */
export const LINK: MayChange = (state, call, cause) => {
  const [path, target] = call.positional;
  if (typeof path !== "string") return;
  state.set(
    fileKey(path),
    call.options.present === false || typeof target !== "string"
      ? ABSENT
      : { type: "link", target },
    cause,
  );
};

/** `server.group`: then the group (with the gid asked for), or none. */
export const GROUP: MayChange = (state, call, cause) => {
  const gid = call.options.gid;
  state.set(
    `group:${call.options.name}`,
    call.options.present === false
      ? null
      : { gid: typeof gid === "number" ? gid : UNKNOWN, members: UNKNOWN },
    cause,
  );
};

/** `systemd.service`: then running and enabled as asked; unknown where not asked. */
export const SERVICE: MayChange = (state, call, cause) => {
  const name = call.options.service;
  if (typeof name !== "string") return;
  const { running, enabled } = call.options;
  state.set(serviceKey(name), {
    active: typeof running === "boolean" ? running : UNKNOWN,
    enabled: typeof enabled === "boolean" ? enabled : UNKNOWN,
    enabledState: typeof enabled === "boolean" ? (enabled ? "enabled" : "disabled") : UNKNOWN,
  }, cause);
};
