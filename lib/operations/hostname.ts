/**
 * `server.hostname`: the running host name and /etc/hostname.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { running as systemdRunning } from "../facts/systemd.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { decoder, encoder, predictRewrite, readRemote } from "./_file_io.ts";
import { resolveFile } from "./file_state.ts";
import { predict, readKey } from "./predicted_facts.ts";

const LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

/**
 * `server.hostname(name)`: `hostnamectl set-hostname` under systemd, else
 * writes /etc/hostname and runs `hostname NAME`. No change when both the
 * running name and /etc/hostname already say `name`. On a chroot or a
 * container (which share their machine's kernel, and so its running host
 * name) it only writes /etc/hostname in the tree.
 */
export async function hostname(ctx: OpContext, name: unknown): Promise<OperationResult> {
  if (typeof name !== "string" || name.length > 253 || !HOSTNAME.test(name)) {
    throw new InputError(`server.hostname: not a valid host name: ${JSON.stringify(name)}`);
  }
  const builder = new ResultBuilder();
  if (ctx.sharedKernel !== undefined) return await fileOnly(ctx, name, builder);
  const [current = "", file = ""] = await names(ctx, builder);
  if (current.trim() === name && file.trim() === name) {
    return builder.done(`host name is ${name}`);
  }
  builder.change(`hostname ${current.trim()} -> ${name}`);
  if (ctx.wantDiff) builder.diff(`hostname: ${current.trim() || "(none)"} → ${name}`);
  predict(ctx, "hostname", name);
  await predictRewrite(ctx, "/etc/hostname", encoder.encode(`${name}\n`));
  if (!ctx.dryRun) {
    const systemd = await ctx.session.hostFact(systemdRunning);
    await runRecorded(
      ctx,
      systemd
        ? sh`hostnamectl set-hostname ${name}`
        : sh`echo ${name} > /etc/hostname && hostname ${name}`,
      builder,
    );
    ctx.session.invalidateFacts("server.hostname");
  }
  return builder.done("");
}

/** /etc/hostname alone, where the running name is the machine's (a chroot, a container). */
async function fileOnly(
  ctx: OpContext,
  name: string,
  builder: ResultBuilder,
): Promise<OperationResult> {
  const file = ctx.prediction
    ? await predictedFirstLine(ctx)
    : (await runScript(ctx, sh`cat /etc/hostname 2>/dev/null | head -n 1; true`, builder))[0] ??
      "";
  if (file.trim() === name) return builder.done(`/etc/hostname is ${name}`);
  builder.change(
    `/etc/hostname ${file.trim() || "(none)"} -> ${name} (only the file in ${ctx.sharedKernel})`,
  );
  if (ctx.wantDiff) builder.diff(`/etc/hostname: ${file.trim() || "(none)"} → ${name}`);
  await predictRewrite(ctx, "/etc/hostname", encoder.encode(`${name}\n`));
  if (!ctx.dryRun) await runRecorded(ctx, sh`echo ${name} > /etc/hostname`, builder);
  return builder.done("");
}

/** The running name and /etc/hostname's first line: from the host, or as a dry run predicts them. */
async function names(ctx: OpContext, builder: ResultBuilder): Promise<string[]> {
  const state = ctx.prediction?.state;
  const predicted = state !== undefined &&
    (state.lookup("hostname").from !== "host" ||
      resolveFile(state, "/etc/hostname").from !== "host");
  if (!predicted) {
    return await runScript(
      ctx,
      sh`uname -n; cat /etc/hostname 2>/dev/null | head -n 1; true`,
      builder,
    );
  }
  const running = await readKey(
    ctx,
    "hostname",
    async () => (await runScript(ctx, sh`uname -n`, builder))[0] ?? "",
  );
  return [running, await predictedFirstLine(ctx)];
}

/** /etc/hostname's first line as a dry run predicts it ("" when absent). */
async function predictedFirstLine(ctx: OpContext): Promise<string> {
  const file = await readRemote(ctx, "/etc/hostname", new ResultBuilder(), "content");
  return file.exists ? decoder.decode(file.content).split("\n")[0] : "";
}
