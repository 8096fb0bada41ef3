/**
 * Server operations: shell commands and scripts.
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { type OpContext, ResultBuilder } from "./context.ts";

function commandList(commands: unknown): (string | Command)[] {
  const list = Array.isArray(commands) ? commands : [commands];
  for (const item of list) {
    if (
      typeof item !== "string" && !(typeof item === "object" && item !== null && "bits" in item)
    ) {
      throw new InputError(`server.shell: expected command strings, got ${JSON.stringify(item)}`);
    }
  }
  if (list.length === 0) throw new InputError("server.shell: no commands given");
  return list as (string | Command)[];
}

/**
 * `server.shell(commands)`: runs each command in order; always a change.
 * One command is described by itself; several by their count (`-v` shows
 * each command as it runs). The commands go to the host together (one
 * round trip over `@ssh`); the first that fails stops the rest unless
 * `_continue_on_error`.
 */
export async function shell(ctx: OpContext, commands: unknown): Promise<OperationResult> {
  const list = commandList(commands);
  const builder = new ResultBuilder();
  const failed: string[] = [];
  let ran = "";
  if (ctx.dryRun) {
    const last = list[list.length - 1];
    ran = ctx.session.mask(typeof last === "string" ? last : last.renderMasked());
  } else {
    const keepGoing = Boolean(ctx.control._continue_on_error);
    const results = await ctx.session.runAll(list, ctx.control, {
      ownShell: true,
      stopOnFailure: !keepGoing,
    });
    for (const result of results) {
      if (result.skipped) continue;
      builder.record(result);
      ran = result.masked;
      if (!result.success) {
        if (!keepGoing) throw new OperationError(ctx.session.describeFailure(result));
        failed.push(result.masked);
      }
    }
  }
  const verb = ctx.dryRun ? "would run" : "ran";
  if (list.length === 1 && failed.length === 0) builder.change(`${verb}: ${ran}`);
  else if (list.length > 1) builder.change(`${verb} ${list.length} commands`);
  for (const command of failed) builder.change(`failed: ${command}`);
  return builder.done("");
}

/** `server.script(src, {args})`: uploads a script to a temporary file, runs it, removes it. */
export async function script(
  ctx: OpContext,
  source: unknown,
  options: { args?: string[] },
): Promise<OperationResult> {
  let upload: Uint8Array | string;
  let label: string;
  if (typeof source === "string") {
    // A large script is streamed from disk, never held.
    const file = await ctx.openLocal(source);
    upload = file.bytes ?? file.path;
    label = source;
  } else if (
    typeof source === "object" && source !== null &&
    typeof (source as { content?: unknown }).content === "string"
  ) {
    upload = new TextEncoder().encode((source as { content: string }).content);
    label = "inline script";
  } else {
    throw new InputError(
      `server.script: expected a local path or { content }, got ${JSON.stringify(source)}`,
    );
  }
  const builder = new ResultBuilder();
  if (ctx.dryRun) {
    builder.change(`would run ${label}`);
    return builder.done("");
  }
  const dir = ctx.control._temp_dir ?? "/tmp";
  const remote = `${dir}/skiff-script-${crypto.randomUUID()}`;
  await ctx.session.put(upload, remote, { mode: "700", label: `upload ${label} -> ${remote}` });
  try {
    const result = await ctx.session.run(sh`${remote} ${options.args ?? []}`, ctx.control);
    builder.record(result);
    if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
    builder.change(`ran ${label}`);
  } finally {
    await ctx.session.run(sh`rm -f ${remote}`, { _shell_executable: "sh" }).catch(() => {});
  }
  return builder.done("");
}
