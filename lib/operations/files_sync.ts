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
import { sha256File } from "./local_files.ts";

async function listLocal(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...await listLocal(root, rel));
    else if (entry.isFile) out.push(rel);
  }
  return out.sort();
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
  if (!isPrivileged(ctx) && await ctx.session.canRsync()) {
    return await syncWithRsync(ctx, localRoot, remoteRoot, options, builder);
  }
  const localFiles = await listLocal(localRoot);
  const lines = await runScript(
    ctx,
    sh`if [ -d ${remoteRoot} ]; then cd ${remoteRoot} && find . -type f -exec sha256sum {} +; fi`,
    builder,
  );
  const remote = new Map<string, string>();
  for (const entry of lines) {
    const match = /^([0-9a-f]{64})\s+\*?\.\/(.*)$/.exec(entry);
    if (match) remote.set(match[2], match[1]);
  }
  for (const rel of localFiles) {
    const local = `${localRoot}/${rel}`;
    // Hashed only when the host has the file; uploaded from disk, never read whole here.
    if (remote.has(rel) && remote.get(rel) === await sha256File(local)) continue;
    builder.change(`${remote.has(rel) ? "updated" : "created"} ${remoteRoot}/${rel}`);
    if (!ctx.dryRun) {
      const { size } = await Deno.stat(local);
      const content = { path: local, size };
      await writeRemote(ctx, `${remoteRoot}/${rel}`, content, { createRemoteDir: true }, builder);
    }
  }
  if (options.delete) {
    const extra = [...remote.keys()].filter((rel) => !localFiles.includes(rel)).sort();
    for (const rel of extra) builder.change(`removed ${remoteRoot}/${rel}`);
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
  const label = `rsync ${flags.join(" ")} ${localRoot}/ ${remoteRoot}/`;
  const ok = await ctx.session.rsync(`${localRoot}/`, `${remoteRoot}/`, flags, {
    ...ctx.control,
    onOutput: (line) => {
      if (line.stream === "stdout") lines.push(line.line);
    },
  });
  builder.record({ masked: label, output: { stdout: lines.join("\n"), stderr: "" } });
  if (!ok) {
    throw new OperationError(`files.sync: rsync to ${remoteRoot} failed on ${ctx.session.name}`);
  }
  for (const line of lines) {
    const deleting = /^\*deleting\s+(.*)$/.exec(line);
    if (deleting) builder.change(`removed ${remoteRoot}/${deleting[1]}`);
    else {
      const item = /^([<>c.][fdL])([^ ]*) (.*)$/.exec(line);
      if (item && item[1].endsWith("f") && item[1][0] !== ".") {
        builder.change(
          `${item[2].startsWith("+") ? "created" : "updated"} ${remoteRoot}/${item[3]}`,
        );
      }
    }
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${remoteRoot} is in sync`);
}
