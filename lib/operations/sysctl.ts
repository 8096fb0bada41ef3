/**
 * `server.sysctl`: a kernel parameter now and, optionally, at boot.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { type OpContext, ResultBuilder } from "./context.ts";
import { line } from "./files.ts";
import { predict, readKey } from "./predicted_facts.ts";
import { sharedKernelRefusal } from "./scope.ts";

/** Where `persist` writes, unless `file` says otherwise. */
export const SYSCTL_FILE = "/etc/sysctl.d/99-skiff.conf";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `server.sysctl(key, value, {persist, file})`: `sysctl -w` when the value
 * differs, and with `persist` the line in a sysctl.d file. On a chroot or a
 * container (which share their machine's kernel) only the file part runs:
 * with `persist` it writes the line in the tree, without it is refused.
 */
export async function sysctl(
  ctx: OpContext,
  key: unknown,
  value: unknown,
  options: { persist?: boolean; file?: string },
): Promise<OperationResult> {
  if (typeof key !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/.test(key)) {
    throw new InputError(`server.sysctl: not a sysctl key: ${JSON.stringify(key)}`);
  }
  if (typeof value !== "string" && typeof value !== "number") {
    throw new InputError(`server.sysctl: value must be a string or a number`);
  }
  const wanted = String(value).trim().split(/\s+/).join(" ");
  const builder = new ResultBuilder();
  if (ctx.sharedKernel !== undefined) {
    if (!options.persist) {
      throw sharedKernelRefusal("server.sysctl", {
        host: ctx.session.name,
        what: ctx.sharedKernel,
        instead: "pass persist: true to write only the sysctl.d line in the tree",
      });
    }
    builder.absorb(await persist(ctx, key, wanted, options.file));
    return builder.done(`${key} = ${wanted} is in ${options.file ?? SYSCTL_FILE}`);
  }
  const current = await readKey(ctx, `sysctl:${key}`, async () => {
    const read = await ctx.session.run(sh`sysctl -n ${key}`, ctx.control);
    builder.record(read);
    if (!read.success) throw new OperationError(ctx.session.describeFailure(read));
    return read.output.stdout.trim().split(/\s+/).join(" ");
  });
  if (current !== wanted) {
    builder.change(`${key} ${current} -> ${wanted}`);
    if (ctx.wantDiff) builder.diff(`${key}: ${current} → ${wanted}`);
    predict(ctx, `sysctl:${key}`, wanted);
    if (!ctx.dryRun) {
      builder.record(
        await ctx.session.runChecked(sh`sysctl -w ${`${key}=${wanted}`}`, ctx.control),
      );
    }
  }
  if (options.persist) builder.absorb(await persist(ctx, key, wanted, options.file));
  return builder.done(`${key} is ${wanted}`);
}

/** The `key = value` line in a sysctl.d file. */
function persist(
  ctx: OpContext,
  key: string,
  wanted: string,
  file = SYSCTL_FILE,
): Promise<OperationResult> {
  return line(ctx, file, `${key} = ${wanted}`, {
    match: `^\\s*${escapeRegExp(key)}\\s*=`,
    create: true,
  });
}
