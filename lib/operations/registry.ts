/**
 * The table of operations a deploy can call, and the dispatcher that turns a
 * call (name and arguments) into a run against a host session.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import type { OperationResult } from "../api/mod.ts";
import { hint } from "../core/data_meta.ts";
import { errorMessage, InputError, OperationError } from "../core/errors.ts";
import type { OpContext, OperationHost } from "./context.ts";
import type { LocalAccess, LocalPathPolicy } from "./local_paths.ts";
import { LocalFileCache } from "./local_files.ts";
import { pyinfraHint } from "./pyinfra_names.ts";
import { type OperationScope, sharedKernelOf, sharedKernelRefusal } from "./scope.ts";
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

/** How an operation takes its arguments. */
export interface OperationSpec {
  /** Number of positional arguments before the options object. */
  readonly positional: number;
  /** Option names it accepts (besides control arguments). */
  readonly options: readonly string[];
  /**
   * What the call acts on, for reports: the option holding it (`"name"`,
   * `"packages"`), or a function of the positional arguments. Absent: the
   * first positional argument.
   */
  readonly subject?: string | ((positional: readonly unknown[]) => unknown);
  /**
   * The arguments that name local paths (a positional index or an option
   * name) and whether the operation reads or writes them. The dispatcher
   * checks each against the local-path policy before the operation runs; a
   * value that is not a string (`{ content }`) is not a path.
   */
  readonly localPaths?: readonly LocalPathArgument[];
  /**
   * What it acts on besides files, where that is the kernel or the machine
   * (see `scope.ts`): on a chroot or a container the dispatcher refuses a
   * `"machine"` operation, and a `"files-in-shared-kernel"` one does only
   * its file part. Absent: meaningful on every host.
   */
  readonly scope?: OperationScope;
  /** What to say of an unknown option that is no typo of a known one (a hint in parentheses). */
  readonly unknownOption?: (key: string) => string;
  /** Runs it. */
  // deno-lint-ignore no-explicit-any
  readonly run: (ctx: OpContext, ...args: any[]) => Promise<OperationResult>;
}

/** An argument of an operation that names a local path. */
export interface LocalPathArgument {
  /** Positional index, or option name. */
  readonly at: number | string;
  /** What the operation does with it. */
  readonly access: LocalAccess;
}

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
    run: files.put,
  },
  "files.get": {
    positional: 2,
    options: [],
    localPaths: [{ at: 1, access: "write" }],
    run: files.get,
  },
  "files.directory": {
    positional: 1,
    options: [...FILE_ATTRIBUTES, "present", "recursive"],
    run: files.directory,
  },
  "files.file": {
    positional: 1,
    options: [...FILE_ATTRIBUTES, "present", "touch"],
    run: files.file,
  },
  "files.link": { positional: 2, options: ["present"], run: files.link },
  "files.line": {
    positional: 2,
    options: [...FILE_ATTRIBUTES, "present", "match", "create"],
    run: files.line,
  },
  "files.block": {
    positional: 2,
    options: [...FILE_ATTRIBUTES, "marker", "present", "create"],
    run: files.block,
  },
  "files.sync": {
    positional: 2,
    options: ["delete"],
    localPaths: READS_FIRST,
    run: files.sync,
  },
  "files.template": {
    positional: 2,
    options: ["data", ...FILE_ATTRIBUTES, "createRemoteDir", "jinja"],
    unknownOption: (key) =>
      ` (template variables go in data: files.template(src, dest, { data: { ${key}: … } }))`,
    subject: sourceOrDest,
    localPaths: READS_FIRST,
    run: template,
  },
  "files.replace": { positional: 3, options: [...FILE_ATTRIBUTES], run: replace },
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
    run: users.user,
  },
  "server.group": {
    positional: 0,
    options: ["name", "present", "gid", "system"],
    subject: "name",
    run: users.group,
  },
  "server.hostname": {
    positional: 1,
    options: [],
    scope: "files-in-shared-kernel",
    run: hostname,
  },
  "server.sysctl": {
    positional: 2,
    options: ["persist", "file"],
    scope: "files-in-shared-kernel",
    run: sysctl,
  },
  "server.reboot": {
    positional: 0,
    options: ["waitSeconds", "delaySeconds"],
    scope: "machine",
    run: reboot,
  },
  "apt.packages": {
    positional: 0,
    options: [...PACKAGES, "cacheTime", "noRecommends"],
    subject: "packages",
    run: apt.packages,
  },
  "apt.update": { positional: 0, options: ["cacheTime"], run: apt.update },
  "apt.key": {
    positional: 0,
    options: ["src", "content", "dest"],
    subject: "dest",
    localPaths: [{ at: "src", access: "read" }],
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
    run: apt.repo,
  },
  "dnf.packages": {
    positional: 0,
    options: [...PACKAGES],
    subject: "packages",
    run: dnf.packages,
  },
  "apk.packages": {
    positional: 0,
    options: [...PACKAGES],
    subject: "packages",
    run: apk.packages,
  },
  "packages.install": {
    positional: 0,
    options: [...PACKAGES],
    subject: "packages",
    run: packages.install,
  },
  "systemd.service": {
    positional: 0,
    options: ["service", "running", "enabled", "restarted", "reloaded", "daemonReload", "changed"],
    subject: "service",
    run: systemd.service,
  },
  "systemd.unit": { positional: 2, options: ["path"], run: systemd.unit },
  "git.repo": {
    positional: 0,
    options: ["src", "dest", "branch", "pull", "user"],
    subject: "dest",
    run: git.repo,
  },
};

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

/** The local files a call may touch. */
export interface LocalFiles {
  /** What may be read and written. */
  policy: LocalPathPolicy;
  /** The directory relative local paths are resolved against (the deploy's). */
  base: string;
  /** The deploy's name, for messages. */
  deploy?: string;
  /**
   * Reads checked real paths: the runner keeps one for the whole run, so
   * small files are read once and large ones hashed once (default: a new one per call).
   */
  files?: LocalFileCache;
}

/** Splits the trailing options/control objects of a call. */
export function splitCall(
  name: string,
  spec: OperationSpec,
  args: readonly unknown[],
): { positional: unknown[]; options: Record<string, unknown>; control: Record<string, unknown> } {
  if (args.length > spec.positional + 2) {
    throw new InputError(
      `${name}: expected at most ${spec.positional + 2} arguments, got ${args.length}`,
    );
  }
  // Missing trailing positionals stay undefined, so options never slide into their place.
  const positional = Array.from({ length: spec.positional }, (_, i) => args[i]);
  const options: Record<string, unknown> = {};
  const control: Record<string, unknown> = {};
  for (const [index, extra] of args.slice(spec.positional).entries()) {
    if (extra === undefined || extra === null) continue;
    if (typeof extra !== "object" || Array.isArray(extra)) {
      throw new InputError(
        `${name}: argument ${spec.positional + index + 1} must be an options object`,
      );
    }
    for (const [key, value] of Object.entries(extra)) {
      if (key.startsWith("_")) control[key] = value;
      else if (index === 0 && spec.options.includes(key)) options[key] = value;
      else {
        const why = pyinfraHint(name, key, spec.options) || hint(key, spec.options) ||
          (spec.unknownOption?.(key) ?? "");
        throw new InputError(`${name}: unknown option "${key}"${why}`);
      }
    }
  }
  return { positional, options, control };
}

/**
 * Reads a local source; a missing one is an InputError naming the deploy,
 * the operation, the path as given and as resolved (exit 2, reported once).
 */
async function readSource<T>(
  given: string,
  { read, resolveLocal, local, name }: {
    read: (path: string) => Promise<T>;
    resolveLocal: (path: string, access: LocalAccess) => string;
    local: LocalFiles;
    name: string;
  },
): Promise<T> {
  const path = resolveLocal(given, "read");
  try {
    return await read(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const against = given.startsWith("/") ? "" : ` against the deploy's folder ${local.base}`;
    throw new InputError(
      `${local.deploy ? `Deploy ${local.deploy}: ` : ""}${name} source "${given}" does not exist ` +
        `(resolved${against} as ${path})`,
    );
  }
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
  const resolveLocal = (path: string, access: LocalAccess) =>
    policy.resolve(name, path, access, base);
  for (const { at, access } of spec.localPaths ?? []) {
    const value = typeof at === "number" ? call.positional[at] : call.options[at];
    if (typeof value === "string") resolveLocal(value, access);
  }
  const control = session.operationArguments(call.control, options.deployDefaults, name);
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
  };
  try {
    return await session.retrying(
      control,
      name,
      () => spec.run(ctx, ...call.positional, call.options),
    );
  } catch (error) {
    if (control._ignore_errors && error instanceof OperationError) {
      return {
        changed: false,
        success: false,
        description: errorMessage(error),
        commands: [],
        stdout: "",
        stderr: "",
      };
    }
    throw error;
  }
}
