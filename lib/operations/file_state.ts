/**
 * Paths in a dry run: what the host holds, read in one round trip per
 * operation (with the operation's privilege), seen through what earlier
 * operations of the dry run would have changed ({@linkcode PredictedState}).
 * A path under a predicted-absent or non-directory ancestor is absent; under
 * a predicted link it is unknown (links are not followed in predictions).
 *
 * @module
 */

import { sh } from "../core/command.ts";
import { OperationError } from "../core/errors.ts";
import { privilegeOf } from "../core/privilege.ts";
import type { OpContext } from "./context.ts";
import { type Known, type Lookup, type PredictedState, UNKNOWN } from "./predicted_state.ts";

/** What a dry run knows of a path. */
export interface FileState {
  type: "absent" | "file" | "directory" | "link" | "other";
  mode?: Known<string>;
  user?: Known<string>;
  group?: Known<string>;
  /** Content of a file; absent: as on the host (the host had the file and it was not rewritten). */
  content?: Known<Uint8Array>;
  /** sha256 of a file's content; absent: as on the host. */
  sha256?: Known<string>;
  /** Where a link points. */
  target?: Known<string>;
  /** A link that resolves to a directory (absent: not known). */
  toDirectory?: boolean;
}

/** Who an operation's commands run as, and with which umask (what new files get). */
export interface Writer {
  umask: number;
  user: string;
  group: string;
}

/** A path's state, known or not, and what made it unknown. */
export type PathView = { state: FileState } | { unknown: string };

/** What {@linkcode viewFiles} returns. */
export interface FilesView {
  /** By path as given. */
  paths: Map<string, PathView>;
  /** The operation's writer on this host. */
  writer: Writer;
}

/** A path that does not exist. */
export const ABSENT: FileState = { type: "absent" };

/**
 * A path without doubled or trailing slashes (`.` and `..` are kept).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { normalizePath } from "./file_state.ts";
 * deepStrictEqual(normalizePath("//srv//app/"), "/srv/app");
 * ```
 */
export function normalizePath(path: string): string {
  const collapsed = path.replace(/\/+/g, "/").replace(/(?:\/\.)+(?=\/|$)/g, "");
  return collapsed.length > 1 ? collapsed.replace(/\/$/, "") : collapsed || path;
}

/** The state key of a path. */
export function fileKey(path: string): string {
  return `file:${normalizePath(path)}`;
}

/**
 * The ancestors of an absolute path, outermost first (none for a relative path).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { ancestorsOf } from "./file_state.ts";
 * deepStrictEqual(ancestorsOf("/srv/app/x.conf"), ["/srv", "/srv/app"]);
 * ```
 */
export function ancestorsOf(path: string): string[] {
  const normal = normalizePath(path);
  if (!normal.startsWith("/")) return [];
  const parts = normal.split("/").filter(Boolean);
  return parts.slice(0, -1).map((_, i) => "/" + parts.slice(0, i + 1).join("/"));
}

/** The parent directory of a path. */
export function parentOf(path: string): string {
  const normal = normalizePath(path);
  const at = normal.lastIndexOf("/");
  return at > 0 ? normal.slice(0, at) : at === 0 ? "/" : ".";
}

/** Mode text as `stat -c %a` prints it. */
function modeText(mode: number): string {
  return mode.toString(8).padStart(3, "0");
}

/** True when a directory's mode has the set-group-ID bit (new entries take its group). */
function setgid(state: FileState | undefined): boolean {
  return typeof state?.mode === "string" && state.mode.length === 4 &&
    (Number.parseInt(state.mode[0], 8) & 2) !== 0;
}

/**
 * What a new entry in `parent` gets: `kind` "dir" (mkdir), "file" (an
 * empty file from the shell) or "upload" (skiff's staged upload: 644).
 */
export function newEntry(
  kind: "dir" | "file" | "upload",
  writer: Writer,
  parent: FileState | undefined,
): FileState {
  const inherit = setgid(parent);
  const group = inherit && typeof parent?.group === "string" ? parent.group : writer.group;
  if (kind === "dir") {
    const mode = (0o777 & ~writer.umask) | (inherit ? 0o2000 : 0);
    return { type: "directory", mode: modeText(mode), user: writer.user, group };
  }
  const mode = kind === "upload" ? "644" : modeText(0o666 & ~writer.umask);
  return { type: "file", mode, user: writer.user, group };
}

/** Host reads of a dry run by privilege and path: nothing changes on a host in a dry run. */
const HOST_CACHE = new WeakMap<PredictedState, Map<string, Promise<unknown>>>();

function privilegeKey(ctx: OpContext): string {
  const privilege = JSON.stringify(
    privilegeOf(ctx.control),
    (key, value) => key === "password" ? undefined : value,
  );
  return `${privilege}\0${ctx.control._chdir ?? ""}`;
}

/** Parses one line of the read script: `link|d|target` (`d`: to a directory, else `-`), `%F|%a|%U|%G` or `absent`. */
function parseEntry(line: string): FileState {
  if (line === "absent") return ABSENT;
  if (line.startsWith("link|")) {
    return { type: "link", toDirectory: line[5] === "d", target: line.slice(7) };
  }
  const [kind, mode, user, group] = line.split("|");
  const type = kind === "directory"
    ? "directory"
    : kind === "regular file" || kind === "regular empty file"
    ? "file"
    : "other";
  return { type, mode, user, group };
}

const BODY = "skiff:body";

interface HostRead {
  writer: Writer;
  states: FileState[];
  body?: string | Uint8Array;
}

/** Reads paths (and one file's sha256 or content) from the host in one round trip. */
async function readHost(
  ctx: OpContext,
  paths: readonly string[],
  body: { path: string; what: "sha256" | "content" } | undefined,
): Promise<HostRead> {
  const read = body === undefined ? sh`:` : sh`b=${body.path}
if [ -f "$b" ] && [ ! -L "$b" ]; then echo ${BODY}; ${
    body.what === "sha256" ? sh`sha256sum < "$b"` : sh`base64 < "$b"`
  } || exit 1; fi`;
  const loop = paths.length === 0 ? sh`:` : sh`for p in ${[...paths]}; do
if [ -L "$p" ]; then if [ -d "$p" ]; then d=d; else d=-; fi; echo "link|$d|$(readlink -- "$p")"
elif [ -e "$p" ]; then s=$(stat -c '%F|%a|%U|%G' -- "$p") || exit 1; echo "$s"
else echo absent; fi
done`;
  const result = await ctx.session.run(sh`umask; id -un; id -gn\n${loop}\n${read}`, ctx.control);
  if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
  const lines = result.output.stdoutLines;
  const out: HostRead = {
    writer: { umask: Number.parseInt(lines[0], 8), user: lines[1], group: lines[2] },
    states: lines.slice(3, 3 + paths.length).map(parseEntry),
  };
  const rest = lines.slice(3 + paths.length);
  if (rest[0] === BODY) {
    out.body = body!.what === "sha256"
      ? rest[1].split(/\s+/)[0]
      : Uint8Array.from(atob(rest.slice(1).join("")), (c) => c.charCodeAt(0));
  }
  return out;
}

function stateOf(ctx: OpContext): PredictedState {
  if (!ctx.prediction) throw new Error("A dry-run read outside a dry run (a bug in skiff)");
  return ctx.prediction.state;
}

/**
 * The host's own state of `paths` and the writer (cached for the dry run),
 * with `sha256` or `content` of one file when asked.
 */
async function hostStates(
  ctx: OpContext,
  paths: readonly string[],
  body?: { path: string; what: "sha256" | "content" },
): Promise<{ states: Map<string, FileState>; writer: Writer; body?: string | Uint8Array }> {
  const state = stateOf(ctx);
  let cache = HOST_CACHE.get(state);
  if (!cache) HOST_CACHE.set(state, cache = new Map());
  const prefix = privilegeKey(ctx);
  const key = (...parts: string[]) => [prefix, ...parts].join("\0");
  const missing = paths.filter((path) => !cache.has(key("path", path)));
  const bodyKey = body && key(body.what, body.path);
  const readBody = bodyKey !== undefined && !cache.has(bodyKey);
  if (missing.length > 0 || readBody || !cache.has(key("writer"))) {
    const reading = readHost(ctx, missing, readBody ? body : undefined);
    reading.catch(() => cache.clear());
    if (!cache.has(key("writer"))) cache.set(key("writer"), reading.then((read) => read.writer));
    missing.forEach((path, i) =>
      cache.set(key("path", path), reading.then((read) => read.states[i]))
    );
    if (readBody) cache.set(bodyKey, reading.then((read) => read.body));
  }
  const states = new Map<string, FileState>();
  for (const path of paths) {
    states.set(path, { ...(await cache.get(key("path", path)) as FileState) });
  }
  const writer = await cache.get(key("writer")) as Writer;
  if (bodyKey === undefined) return { states, writer };
  return { states, writer, body: await cache.get(bodyKey) as string | Uint8Array | undefined };
}

/** The latest statement about `path`, its ancestors' included. */
export function resolveFile(state: PredictedState, path: string): Lookup {
  let best = state.lookup(fileKey(path));
  for (const ancestor of ancestorsOf(path)) {
    // Regions cover what is under them by prefix already; this is for statements about one path.
    const found = state.lookup(fileKey(ancestor));
    if (found.from !== "state" || found.region || found.seq <= best.seq) continue;
    const value = found.value as Known<FileState>;
    if (value === UNKNOWN || value.type === "link") {
      best = { from: "state", value: UNKNOWN, seq: found.seq, cause: found.cause };
    } else if (value.type !== "directory") {
      best = { from: "state", value: ABSENT, seq: found.seq, cause: found.cause };
    }
  }
  return best;
}

/**
 * What a dry run predicts of `paths`, with `sha256` or `content` of one of
 * them (`body`) filled in from the host when the prediction leaves it as the
 * host's. Reads the host only for what is not predicted, in one round trip.
 */
export async function viewFiles(
  ctx: OpContext,
  paths: readonly string[],
  body?: { path: string; what: "sha256" | "content" },
): Promise<FilesView> {
  const state = stateOf(ctx);
  const lookups = new Map(paths.map((path) => [path, resolveFile(state, path)]));
  const fromHost = paths.filter((path) => lookups.get(path)!.from === "host");
  const needsBody = body !== undefined && (() => {
    const found = lookups.get(body.path);
    if (found?.from === "host") return true;
    const value = found?.value as Known<FileState> | undefined;
    return value !== undefined && value !== UNKNOWN && value.type === "file" &&
      value[body.what] === undefined;
  })();
  const host = await hostStates(ctx, fromHost, needsBody ? body : undefined);
  const withBody = (path: string, state: FileState): FileState =>
    needsBody && path === body!.path && state.type === "file" && host.body !== undefined
      ? { ...state, [body!.what]: host.body }
      : state;
  const out = new Map<string, PathView>();
  for (const path of paths) {
    const found = lookups.get(path)!;
    if (found.from === "host") {
      const hostState = withBody(path, host.states.get(path)!);
      const kept = found.keep ? found.keep(hostState) as Known<FileState> : hostState;
      out.set(path, kept === UNKNOWN ? { unknown: found.cause! } : { state: kept });
      continue;
    }
    const value = found.value as Known<FileState>;
    out.set(path, value === UNKNOWN ? { unknown: found.cause } : { state: withBody(path, value) });
  }
  return { paths: out, writer: host.writer };
}

/** States the predicted state of a path (no-op outside a dry run). */
export function predictFile(ctx: OpContext, path: string, state: Known<FileState>): void {
  ctx.prediction?.state.set(fileKey(path), state, ctx.prediction.cause);
}

/** States that everything under a directory is absent (it was removed or emptied). */
export function predictEmptied(ctx: OpContext, path: string): void {
  ctx.prediction?.state.forget(`${fileKey(path)}/`, ctx.prediction.cause, {
    rule: { value: ABSENT },
  });
}

/** States that everything under a directory is unknown (a clone, a recursive chmod). */
export function predictUnknownUnder(ctx: OpContext, path: string): void {
  ctx.prediction?.state.forget(`${fileKey(path)}/`, ctx.prediction.cause);
}

/**
 * States the directories `mkdir -p` would create for `path` (its missing
 * ancestors, and `path` itself when `self`), given their current views.
 */
export function predictParents(
  ctx: OpContext,
  path: string,
  view: FilesView,
  self = false,
): void {
  let parent: FileState | undefined;
  for (const dir of [...ancestorsOf(path), ...(self ? [path] : [])]) {
    const seen = view.paths.get(dir);
    if (seen && "state" in seen && seen.state.type !== "absent") {
      parent = seen.state;
      continue;
    }
    if (seen && "unknown" in seen) {
      predictFile(ctx, dir, UNKNOWN);
      parent = undefined;
      continue;
    }
    const created = newEntry("dir", view.writer, parent);
    created.mode = modeText(Number.parseInt(created.mode as string, 8) | 0o300);
    predictFile(ctx, dir, created);
    view.paths.set(dir, { state: created });
    parent = created;
  }
}
