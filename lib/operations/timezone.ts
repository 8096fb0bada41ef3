/**
 * `server.timezone`: /etc/localtime as a link to the zone's file under
 * /usr/share/zoneinfo, and /etc/timezone.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { decoder, encoder, predictRewrite } from "./_file_io.ts";
import { fileKey, type FileState, predictFile, viewFiles } from "./file_state.ts";
import { StateUnknown } from "./predicted_state.ts";

/** Where zone files are. */
export const ZONEINFO = "/usr/share/zoneinfo";

const ZONE = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/;

/** What a time zone change reads: whether the zone exists, the link, /etc/timezone's first line. */
interface ZoneState {
  exists: boolean;
  /** `/etc/localtime`'s link target; "" when it is no link. */
  link: string;
  /** `/etc/localtime` is a directory. */
  directory: boolean;
  /** /etc/timezone's first line ("" when absent). */
  named: string;
}

/**
 * `server.timezone(tz)`: `/etc/localtime` a symbolic link to
 * `/usr/share/zoneinfo/TZ` and `/etc/timezone` holding `TZ`; a zone with no
 * file there is refused. No change when both already say so.
 */
export async function timezone(ctx: OpContext, tz: unknown): Promise<OperationResult> {
  if (typeof tz !== "string" || !ZONE.test(tz) || tz.startsWith("-")) {
    throw new InputError(
      `server.timezone tz: expected a zone name such as "Europe/Berlin", got ${JSON.stringify(tz)}`,
    );
  }
  const zone = `${ZONEINFO}/${tz}`;
  const builder = new ResultBuilder();
  const now = ctx.prediction ? await predicted(ctx, zone) : await read(ctx, zone, builder);
  if (!now.exists) {
    throw new OperationError(
      `server.timezone: no time zone "${tz}" on ${ctx.session.name}: ${zone} does not exist`,
    );
  }
  if (now.directory) throw new OperationError(`server.timezone: /etc/localtime is a directory`);
  if (now.link === zone && now.named === tz) return builder.done(`time zone is ${tz}`);
  if (now.link === zone) {
    // The zone is right; only /etc/timezone says otherwise.
    builder.change(`/etc/timezone ${now.named || "(none)"} -> ${tz}`);
    if (ctx.wantDiff) builder.diff(`/etc/timezone: ${now.named || "(none)"} → ${tz}`);
  } else {
    const before = now.named ||
      (now.link.startsWith(`${ZONEINFO}/`) ? now.link.slice(ZONEINFO.length + 1) : "(none)");
    builder.change(`time zone ${before} -> ${tz}`);
    if (ctx.wantDiff) builder.diff(`timezone: ${before} → ${tz}`);
  }
  predictFile(ctx, "/etc/localtime", { type: "link", target: zone });
  if (now.named !== tz) await predictRewrite(ctx, "/etc/timezone", encoder.encode(`${tz}\n`));
  if (!ctx.dryRun) {
    await runRecorded(
      ctx,
      sh`ln -sfn -- ${zone} /etc/localtime && printf '%s\\n' ${tz} > /etc/timezone`,
      builder,
    );
  }
  return builder.done("");
}

/** The host's zone state, in one round trip. */
async function read(ctx: OpContext, zone: string, builder: ResultBuilder): Promise<ZoneState> {
  const [exists, kind, link = "", named = ""] = await runScript(
    ctx,
    sh`if [ -f ${zone} ]; then echo yes; else echo no; fi
if [ -L /etc/localtime ]; then echo link; elif [ -d /etc/localtime ]; then echo dir; else echo other; fi
readlink /etc/localtime || echo
head -n 1 /etc/timezone 2>/dev/null || echo`,
    builder,
  );
  return { exists: exists === "yes", directory: kind === "dir", link, named };
}

/** The same, as the dry run predicts it. */
async function predicted(ctx: OpContext, zone: string): Promise<ZoneState> {
  const view = await viewFiles(ctx, [zone, "/etc/localtime", "/etc/timezone"], {
    path: "/etc/timezone",
    what: "content",
  });
  const known = (path: string): FileState => {
    const seen = view.paths.get(path)!;
    if ("unknown" in seen) throw new StateUnknown(fileKey(path), seen.unknown);
    return seen.state;
  };
  const [file, localtime, named] = [known(zone), known("/etc/localtime"), known("/etc/timezone")];
  const content = named.type === "file" ? named.content : undefined;
  if (named.type === "file" && !(content instanceof Uint8Array)) {
    throw new StateUnknown(fileKey("/etc/timezone"), ctx.prediction!.cause);
  }
  return {
    // A link there is taken to lead to the zone's file, as `[ -f ]` follows it.
    exists: file.type === "file" || file.type === "link",
    directory: localtime.type === "directory",
    link: localtime.type === "link" && typeof localtime.target === "string" ? localtime.target : "",
    named: content instanceof Uint8Array ? decoder.decode(content).split("\n")[0] : "",
  };
}
