/**
 * The table of operations a deploy can call, and the dispatcher that turns a
 * call (name and arguments) into a run against a host session.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import type { OperationResult } from "../api/mod.ts";
import { hint } from "../core/data_meta.ts";
import { InputError } from "../core/errors.ts";
import type { OpContext, OperationHost } from "./context.ts";
import type { LocalAccess } from "./local_paths.ts";
import { type LocalFiles, readSource, splitCall } from "./call_arguments.ts";
import { ignoringErrors } from "./ignoring_errors.ts";
import { LocalFileCache } from "./local_files.ts";
import { sharedKernelOf, sharedKernelRefusal } from "./scope.ts";
import {
  APT_REPO,
  DIRECTORY,
  FILE,
  GIT_REPO,
  GROUP,
  keys,
  LINK,
  NOTHING,
  packageChange,
  packagesOf,
  pathAt,
  REBOOT,
  SERVICE,
  SYSCTL,
  SYSTEMD_UNIT,
  USER,
} from "./effects.ts";
import { causeOf, dependsResult, settle } from "./dry_run.ts";
import { PredictedState, StateUnknown } from "./predicted_state.ts";
import { STABLE_FACTS } from "./predicted_facts.ts";
import * as apk from "./apk.ts";
import * as apt from "./apt.ts";
import * as dnf from "./dnf.ts";
import * as files from "./files.ts";
import * as git from "./git.ts";
import { hostname } from "./hostname.ts";
import * as packages from "./packages.ts";
import { reboot } from "./reboot.ts";
import { replace } from "./replace.ts";
import * as server from "./server.ts";
import { sysctl } from "./sysctl.ts";
import * as systemd from "./systemd.ts";
import { template } from "./template.ts";
import * as users from "./users.ts";
import { MORE_OPERATIONS } from "./more_operations.ts";
import { SYSTEM_OPERATIONS } from "./system_ops.ts";
import { APP_OPERATIONS } from "./app_operations.ts";
import type { LocalPathArgument, OperationSpec } from "./operation_spec.ts";

export type { LocalPathArgument, OperationSpec } from "./operation_spec.ts";

const READS_FIRST: readonly LocalPathArgument[] = [{ at: 0, access: "read" }];
const FILE_ATTRIBUTES = ["mode", "user", "group"] as const;
/** `files.put` and `files.template` act on the local source path, or the destination of `{ content }`. */
const sourceOrDest = (positional: readonly unknown[]) =>
  typeof positional[0] === "string" ? positional[0] : positional[1];
const PACKAGES = ["packages", "present", "latest", "update"] as const;

/** Every operation by dotted name. */
export const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  "server.shell": { positional: 1, options: [], run: server.shell },
  "server.script": {
    positional: 1,
    options: ["args"],
    localPaths: READS_FIRST,
    run: server.script,
  },
  "files.put": {
    positional: 2,
    options: [...FILE_ATTRIBUTES, "createRemoteDir"],
    subject: sourceOrDest,
    localPaths: READS_FIRST,
    mayChange: pathAt(1),
    run: files.put,
  },
  "files.get": {
    positional: 2,
    options: [],
    localPaths: [{ at: 1, access: "write" }],
    mayChange: NOTHING,
    run: files.get,
  },
  "files.directory": {
    positional: 1,
    options: [...FILE_ATTRIBUTES, "present", "recursive"],
    mayChange: DIRECTORY,
    run: files.directory,
  },
  "files.file": {
    positional: 1,
    options: [...FILE_ATTRIBUTES, "present", "touch"],
    mayChange: FILE,
    run: files.file,
  },
  "files.link": { positional: 2, options: ["present"], mayChange: LINK, run: files.link },
  "files.line": {
    positional: 2,
    options: [...FILE_ATTRIBUTES, "present", "match", "create"],
    mayChange: pathAt(0),
    run: files.line,
  },
  "files.block": {
    positional: 2,
    options: [...FILE_ATTRIBUTES, "marker", "present", "create"],
    mayChange: pathAt(0),
    run: files.block,
  },
  "files.sync": {
    positional: 2,
    options: ["delete"],
    localPaths: READS_FIRST,
    mayChange: pathAt(1, () => true),
    run: files.sync,
  },
  "files.template": {
    positional: 2,
    options: ["data", ...FILE_ATTRIBUTES, "createRemoteDir", "jinja", "filters", "tests"],
    unknownOption: (key) =>
      ` (template variables go in data: files.template(src, dest, { data: { ${key}: … } }))`,
    subject: sourceOrDest,
    localPaths: READS_FIRST,
    mayChange: pathAt(1),
    run: template,
  },
  "files.replace": {
    positional: 3,
    options: [...FILE_ATTRIBUTES],
    mayChange: pathAt(0),
    run: replace,
  },
  "server.user": {
    positional: 0,
    options: [
      "name",
      "present",
      "home",
      "shell",
      "group",
      "groups",
      "system",
      "uid",
      "publicKeys",
    ],
    subject: "name",
    mayChange: USER,
    run: users.user,
  },
  "server.group": {
    positional: 0,
    options: ["name", "present", "gid", "system"],
    subject: "name",
    mayChange: GROUP,
    run: users.group,
  },
  "server.hostname": {
    positional: 1,
    options: [],
    scope: "files-in-shared-kernel",
    mayChange: keys(() => ["hostname", "file:/etc/hostname"]),
    run: hostname,
  },
  "server.sysctl": {
    positional: 2,
    options: ["persist", "file"],
    scope: "files-in-shared-kernel",
    mayChange: SYSCTL,
    run: sysctl,
  },
  "server.reboot": {
    positional: 0,
    options: ["waitSeconds", "delaySeconds"],
    scope: "machine",
    mayChange: REBOOT,
    run: reboot,
  },
  "apt.packages": {
    positional: 0,
    options: [...PACKAGES, "cacheTime", "noRecommends"],
    subject: "packages",
    mayChange: packagesOf("apt"),
    run: apt.packages,
  },
  "apt.update": {
    positional: 0,
    options: ["cacheTime"],
    mayChange: keys(() => ["aptlists"]),
    run: apt.update,
  },
  "apt.key": {
    positional: 0,
    options: ["src", "content", "dest"],
    subject: "dest",
    localPaths: [{ at: "src", access: "read" }],
    mayChange: pathAt("dest"),
    run: apt.key,
  },
  "apt.repo": {
    positional: 0,
    options: [
      "name",
      "uris",
      "suites",
      "components",
      "signedBy",
      "types",
      "architectures",
      "present",
      "update",
    ],
    subject: "name",
    mayChange: APT_REPO,
    run: apt.repo,
  },
  "dnf.packages": {
    positional: 0,
    options: [...PACKAGES],
    subject: "packages",
    mayChange: packagesOf("dnf"),
    run: dnf.packages,
  },
  "apk.packages": {
    positional: 0,
    options: [...PACKAGES],
    subject: "packages",
    mayChange: packagesOf("apk"),
    run: apk.packages,
  },
  "packages.install": {
    positional: 0,
    options: [...PACKAGES],
    subject: "packages",
    mayChange: (state, call, cause) =>
      packageChange(state, "", cause, { removing: call.options.present === false }),
    run: packages.install,
  },
  "systemd.service": {
    positional: 0,
    options: ["service", "running", "enabled", "restarted", "reloaded", "daemonReload", "changed"],
    subject: "service",
    mayChange: SERVICE,
    run: systemd.service,
  },
  "systemd.unit": {
    positional: 2,
    options: ["path"],
    mayChange: SYSTEMD_UNIT,
    run: systemd.unit,
  },
  "git.repo": {
    positional: 0,
    options: ["src", "dest", "branch", "pull", "user"],
    subject: "dest",
    mayChange: GIT_REPO,
    run: git.repo,
  },
  ...MORE_OPERATIONS,
  ...SYSTEM_OPERATIONS,
  ...APP_OPERATIONS,
};

export { type LocalFiles, splitCall } from "./call_arguments.ts";
export { ignoringErrors } from "./ignoring_errors.ts";

/** How a call is run. */
export interface CallOptions {
  dryRun: boolean;
  wantDiff: boolean;
  /** The deploy's `defaults` control arguments. */
  deployDefaults: ControlArguments;
  /** Local files: the policy, the deploy's directory, and how checked files are read. */
  local: LocalFiles;
  /** The fleet configuration, for templates. */
  config?: Readonly<Record<string, unknown>>;
}

/** Runs operation `name` with the deploy's arguments on a session. */
export async function callOperation(
  session: OperationHost,
  name: string,
  args: readonly unknown[],
  options: CallOptions,
): Promise<OperationResult> {
  const spec = OPERATIONS[name];
  if (!spec) {
    throw new InputError(`Unknown operation "${name}"${hint(name, Object.keys(OPERATIONS))}`);
  }
  const call = splitCall(name, spec, args);
  const sharedKernel = spec.scope ? sharedKernelOf(session.host.connector) : undefined;
  if (sharedKernel !== undefined && spec.scope === "machine") {
    throw sharedKernelRefusal(name, { host: session.name, what: sharedKernel });
  }
  const { policy, base, files = new LocalFileCache() } = options.local;
  const resolveLocal = (path: string, access: LocalAccess) => {
    const real = policy.resolve(name, path, access, base);
    options.local.resolved?.(real, access);
    return real;
  };
  for (const { at, access } of spec.localPaths ?? []) {
    const value = typeof at === "number" ? call.positional[at] : call.options[at];
    if (typeof value === "string") resolveLocal(value, access);
  }
  const control = session.operationArguments(call.control, options.deployDefaults, name);
  const prediction = options.dryRun
    ? { state: session.predicted ?? new PredictedState(), cause: causeOf(name, spec.subject, call) }
    : undefined;
  const ctx: OpContext = {
    session,
    dryRun: options.dryRun,
    wantDiff: options.wantDiff,
    control,
    readLocal: (path) =>
      readSource(path, {
        read: (real) => files.read(real),
        resolveLocal,
        local: options.local,
        name,
      }),
    openLocal: (path) =>
      readSource(path, {
        read: (real) => files.open(real),
        resolveLocal,
        local: options.local,
        name,
      }),
    resolveLocal,
    config: options.config ?? {},
    sharedKernel,
    prediction,
  };
  const mark = prediction?.state.seq ?? 0;
  return await ignoringErrors(control, async () => {
    try {
      const result = await session.retrying(
        control,
        name,
        () => spec.run(ctx, ...call.positional, call.options),
      );
      if (prediction) return settle(result, { mayChange: spec.mayChange, call, prediction, mark });
      // A change may change any fact but those of the machine itself: none is read stale later.
      if (result.changed || !result.success) session.invalidateFacts("", STABLE_FACTS);
      return result;
    } catch (error) {
      if (prediction && error instanceof StateUnknown) {
        const depends = dependsResult();
        return settle(depends, { mayChange: spec.mayChange, call, prediction, mark, thrown: true });
      }
      // A failed operation may have done part of its work.
      if (!prediction) session.invalidateFacts("", STABLE_FACTS);
      throw error;
    }
  });
}
