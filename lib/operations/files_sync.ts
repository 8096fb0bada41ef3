/**
 * `files.sync`: a local directory mirrored to the host, through rsync when the
 * connector can, otherwise by comparing sha256 sums in one round trip (each
 * local file hashed in chunks, and uploaded from disk).
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { OperationError } from "../core/errors.ts";

import { type OpContext, ResultBuilder, runScript } from "./context.ts";
import { isPrivileged, pathCheck, writeRemote } from "./_file_io.ts";
import {
  ABSENT,
  fileKey,
  type FileState,
  predictFile,
  resolveFile,
  viewFiles,
} from "./file_state.ts";
import { StateUnknown, UNKNOWN } from "./predicted_state.ts";
import { sha256File, SMALL_FILE } from "./local_files.ts";

async function listLocal(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...await listLocal(root, rel));
    else if (entry.isFile) out.push(rel);
  }
  return out.sort();
}

/**
 * A name as GNU sha256sum escapes it when it holds a newline, carriage
 * return or backslash (the line then starts with a backslash): `a\\nb` is
 * `a`, a newline, `b`.
 */
function unescapeName(name: string): string {
  const escapes: Record<string, string> = { n: "\n", r: "\r", "\\": "\\" };
  return name.replace(/\\(.)/g, (all, char: string) => escapes[char] ?? all);
}

/** `files.sync(src, dest, {delete})`: per-file sha256 comparison and upload in one listing round trip. */
export async function sync(
  ctx: OpContext,
  source: unknown,
  dest: unknown,
  options: { delete?: boolean },
): Promise<OperationResult> {
  const localRoot = ctx.resolveLocal(pathCheck(source, "files.sync src"), "read").replace(
    /\/$/,
    "",
  );
  const remoteRoot = pathCheck(dest, "files.sync dest").replace(/\/$/, "");
  const builder = new ResultBuilder();
  // A dry run after a predicted change under the destination compares with
  // the prediction; rsync -n would only see the host.
  const predicted = ctx.prediction !== undefined && touched(ctx, remoteRoot);
  if (!predicted && !isPrivileged(ctx) && await ctx.session.canRsync()) {
    return await syncWithRsync(ctx, localRoot, remoteRoot, options, builder);
  }
  const localFiles = await listLocal(localRoot);
  const lines = await runScript(
    ctx,
    sh`if [ -d ${remoteRoot} ]; then cd ${remoteRoot} && find . -type f -exec sha256sum {} +; fi`,
    builder,
  );
  const listed = new Map<string, string>();
  for (const entry of lines) {
    const match = /^(\\?)([0-9a-f]{64})\s+\*?\.\/(.*)$/.exec(entry);
    if (match) listed.set(match[1] ? unescapeName(match[3]) : match[3], match[2]);
  }
  const remote = predicted ? await predictedListing(ctx, remoteRoot, listed) : listed;
  for (const rel of localFiles) {
    const local = `${localRoot}/${rel}`;
    // Hashed only when the host has the file; uploaded from disk, never read whole here.
    if (remote.has(rel) && remote.get(rel) === await sha256File(local)) continue;
    builder.change(`${remote.has(rel) ? "updated" : "created"} ${remoteRoot}/${rel}`);
    // In a dry run this states the write in the predicted state.
    const { size } = await Deno.stat(local);
    await writeRemote(ctx, `${remoteRoot}/${rel}`, { path: local, size }, {
      createRemoteDir: true,
    }, builder);
  }
  if (options.delete) {
    const extra = [...remote.keys()].filter((rel) => !localFiles.includes(rel)).sort();
    for (const rel of extra) {
      builder.change(`removed ${remoteRoot}/${rel}`);
      predictFile(ctx, `${remoteRoot}/${rel}`, ABSENT);
    }
    if (extra.length > 0 && !ctx.dryRun) {
      const result = await ctx.session.run(sh`cd ${remoteRoot} && rm -f -- ${extra}`, ctx.control);
      builder.record(result);
      if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
    }
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${remoteRoot} is in sync`);
}

/** files.sync through rsync: `--itemize-changes` says what changed (or, with `-n`, would). */
async function syncWithRsync(
  ctx: OpContext,
  localRoot: string,
  remoteRoot: string,
  options: { delete?: boolean },
  builder: ResultBuilder,
): Promise<OperationResult> {
  const flags = [
    "-rlt",
    "--itemize-changes",
    ...(options.delete ? ["--delete"] : []),
    ...(ctx.dryRun ? ["-n"] : []),
  ];
  const lines: string[] = [];
  const errors: string[] = [];
  const label = `rsync ${flags.join(" ")} ${localRoot}/ ${remoteRoot}/`;
  const ok = await ctx.session.rsync(`${localRoot}/`, `${remoteRoot}/`, flags, {
    ...ctx.control,
    onOutput: (line) => (line.stream === "stdout" ? lines : errors).push(line.line),
  });
  builder.record({
    masked: label,
    output: { stdout: lines.join("\n"), stderr: errors.join("\n") },
  });
  if (!ok) {
    const tail = errors.slice(-5).join("\n");
    throw new OperationError(
      `files.sync: rsync to ${remoteRoot} failed on ${ctx.session.name}${tail ? `:\n${tail}` : ""}`,
    );
  }
  for (const line of lines) {
    const deleting = /^\*deleting\s+(.*)$/.exec(line);
    if (deleting) {
      builder.change(`removed ${remoteRoot}/${deleting[1]}`);
      predictFile(ctx, `${remoteRoot}/${deleting[1]}`, ABSENT);
    } else {
      const item = /^([<>c.][fdL])([^ ]*) (.*)$/.exec(line);
      if (item && item[1].endsWith("f") && item[1][0] !== ".") {
        builder.change(
          `${item[2].startsWith("+") ? "created" : "updated"} ${remoteRoot}/${item[3]}`,
        );
        if (ctx.prediction) {
          const local = `${localRoot}/${item[3]}`;
          // A large file's content is not held, only its digest.
          const small = (await Deno.stat(local)).size <= SMALL_FILE;
          // rsync without -p gives new files the source's mode under the umask: not predicted.
          predictFile(ctx, `${remoteRoot}/${item[3]}`, {
            type: "file",
            mode: UNKNOWN,
            user: UNKNOWN,
            group: UNKNOWN,
            content: small ? await Deno.readFile(local) : UNKNOWN,
            sha256: await sha256File(local),
          });
        }
      } else if (item && item[1].endsWith("d") && item[2].startsWith("+") && ctx.prediction) {
        predictFile(ctx, `${remoteRoot}/${item[3]}`.replace(/\/$/, ""), {
          type: "directory",
          mode: UNKNOWN,
          user: UNKNOWN,
          group: UNKNOWN,
        });
      }
    }
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${remoteRoot} is in sync`);
}

/** True when the dry run predicted something at, under or above `root`. */
function touched(ctx: OpContext, root: string): boolean {
  const state = ctx.prediction!.state;
  return state.touchedBy([fileKey(root)]) !== undefined ||
    resolveFile(state, root).from !== "host";
}

/**
 * The files under `root` (relative path → sha256) as the dry run predicts
 * them: the host's listing, with what earlier operations would have
 * written or removed there.
 */
async function predictedListing(
  ctx: OpContext,
  root: string,
  host: Map<string, string>,
): Promise<Map<string, string>> {
  const state = ctx.prediction!.state;
  const prefix = `${fileKey(root)}/`;
  const region = state.regionOver([prefix]);
  if (region && "unknown" in region.rule) throw new StateUnknown(prefix, region.cause);
  const top = (await viewFiles(ctx, [root])).paths.get(root)!;
  if ("unknown" in top) throw new StateUnknown(fileKey(root), top.unknown);
  const out = new Map<string, string>();
  const add = (rel: string, found: FileState | typeof UNKNOWN, hostSha?: string) => {
    if (found === UNKNOWN) throw new StateUnknown(`${prefix}${rel}`, ctx.prediction!.cause);
    if (found.type !== "file") return;
    const sha = found.sha256 ?? hostSha;
    if (sha === UNKNOWN || sha === undefined) {
      throw new StateUnknown(`${prefix}${rel}`, ctx.prediction!.cause);
    }
    out.set(rel, sha);
  };
  for (const [rel, sha] of host) {
    const found = resolveFile(state, `${root}/${rel}`);
    if (found.from === "host") out.set(rel, sha);
    else add(rel, found.value as FileState | typeof UNKNOWN, sha);
  }
  for (const key of state.keysUnder(prefix)) {
    const rel = key.slice(prefix.length);
    if (host.has(rel)) continue;
    const found = resolveFile(state, `${root}/${rel}`);
    if (found.from === "state") add(rel, found.value as FileState | typeof UNKNOWN);
  }
  return out;
}
