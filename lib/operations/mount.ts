/**
 * `server.mount`: a filesystem mounted now and, with `persist`, its fstab
 * line.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { MountFact, MountOptions, OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { parseMounts } from "../facts/system.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { editFile } from "./files_edit.ts";
import {
  fileKey,
  normalizePath,
  predictEmptied,
  predictFile,
  predictUnknownUnder,
  viewFiles,
} from "./file_state.ts";
import { predict, readKey } from "./predicted_facts.ts";
import { StateUnknown, UNKNOWN } from "./predicted_state.ts";
import { sharedKernelRefusal } from "./scope.ts";

/** Where `persist` writes unless `fstab` names another file. */
export const FSTAB = "/etc/fstab";

/** The predicted-state key of what is mounted on a path. */
export function mountKey(path: string): string {
  return `mount:${path}`;
}

/** Flags the kernel shows among a mount's options, each with its opposite. */
const FLAGS: Readonly<Record<string, string>> = {
  ro: "rw",
  rw: "ro",
  noexec: "exec",
  exec: "noexec",
  nosuid: "suid",
  suid: "nosuid",
  nodev: "dev",
  dev: "nodev",
  sync: "async",
  async: "sync",
  noatime: "relatime",
};

const SHOWN = new Set(["ro", "rw", "noexec", "nosuid", "nodev", "sync", "noatime"]);

/**
 * The flag options asked for that a live mount's options lack (`exec` is
 * lacking while `noexec` is shown); key=value and fstab-only options are
 * not compared.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { missingFlags } from "./mount.ts";
 * deepStrictEqual(missingFlags(["size=1m", "noexec", "dev"], ["rw", "nodev", "noexec"]), ["dev"]);
 * ```
 */
export function missingFlags(wanted: readonly string[], live: readonly string[]): string[] {
  return wanted.filter((option) => {
    const opposite = FLAGS[option];
    if (opposite === undefined) return false;
    // The kernel shows these when set; the others (exec, suid, dev, async) by their opposite's absence.
    return SHOWN.has(option) ? !live.includes(option) : live.includes(opposite);
  });
}

function fail(what: string, detail: string): never {
  throw new InputError(`server.mount ${what}: ${detail}`);
}

/** A field as fstab holds it: spaces, tabs and backslashes as octal escapes. */
function fstabField(text: string): string {
  return text.replace(/[ \t\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/** The validated call. */
interface MountCall {
  path: string;
  device: string;
  fstype: string;
  options: string[];
  present: boolean;
  persist: boolean;
  fstab: string;
}

function validate(path: unknown, options: MountOptions): MountCall {
  if (typeof path !== "string" || !path.startsWith("/") || path === "/" || /[\n\r]/.test(path)) {
    fail("path", `expected an absolute path other than /, got ${JSON.stringify(path)}`);
  }
  const present = options.present ?? true;
  const text = (key: "device" | "fstype", value: unknown) => {
    if (value === undefined && !present) return "";
    if (typeof value !== "string" || value === "" || value.startsWith("-") || /\s/.test(value)) {
      fail(
        key,
        `expected a ${key} such as ${key === "device" ? '"/dev/sdb1"' : '"ext4"'}, got ${
          JSON.stringify(value)
        }`,
      );
    }
    return value;
  };
  const list = typeof options.options === "string"
    ? options.options.split(",")
    : options.options ?? [];
  if (!Array.isArray(list) || list.some((o) => typeof o !== "string" || !/^[^\s,]+$/.test(o))) {
    fail("options", `expected "a,b" or a list of options, got ${JSON.stringify(options.options)}`);
  }
  const fstab = options.fstab ?? FSTAB;
  if (typeof fstab !== "string" || !fstab.startsWith("/")) {
    fail("fstab", `expected an absolute path, got ${JSON.stringify(fstab)}`);
  }
  return {
    path: normalizePath(path),
    device: text("device", options.device),
    fstype: text("fstype", options.fstype),
    options: list.filter((o) => o !== "defaults"),
    present,
    persist: options.persist ?? true,
    fstab,
  };
}

/**
 * `server.mount(path, {device, fstype, options, present, persist, fstab})`:
 * `device` mounted on `path` (created when missing; a link there is
 * refused) with `fstype` and `options`, remounted when a flag option
 * (`ro`, `noexec`, `nosuid`, …) differs; with `present: false` unmounted.
 * With `persist` (the default) the path's line in fstab says the same
 * (`device path fstype options 0 0`) or, with `present: false`, is
 * removed. Something else mounted there is an error, never replaced. On a
 * chroot or a container only the fstab line is written.
 */
export async function mount(
  ctx: OpContext,
  target: unknown,
  options: MountOptions,
): Promise<OperationResult> {
  const call = validate(target, options);
  const builder = new ResultBuilder();
  if (ctx.sharedKernel !== undefined) {
    if (!call.persist) {
      throw sharedKernelRefusal("server.mount", {
        host: ctx.session.name,
        what: ctx.sharedKernel,
        instead: "pass persist: true to write only the fstab line in the tree",
      });
    }
  } else {
    await live(ctx, call, builder);
  }
  if (call.persist) builder.absorb(await persistLine(ctx, call));
  if (ctx.sharedKernel !== undefined) {
    return builder.done(
      call.present
        ? `${call.device} on ${call.path} is in ${call.fstab}`
        : `no line for ${call.path} in ${call.fstab}`,
    );
  }
  return builder.done(
    call.present
      ? `${call.device} is mounted on ${call.path}`
      : `nothing is mounted on ${call.path}`,
  );
}

/** The live mount: mounted, remounted, unmounted, or left. */
async function live(ctx: OpContext, call: MountCall, builder: ResultBuilder): Promise<void> {
  const { path } = call;
  const now = await readKey(ctx, mountKey(path), async () => await readMount(ctx, path, builder));
  if (!call.present) {
    if (now === null) return;
    builder.change(`unmounted ${path}`);
    predict(ctx, mountKey(path), null);
    predictUnknownUnder(ctx, path);
    if (!ctx.dryRun) await runRecorded(ctx, sh`umount -- ${path}`, builder);
    return;
  }
  const flags = call.options.length === 0 ? [] : ["-o", call.options.join(",")];
  if (now === null) {
    const kind = await pathKind(ctx, path, builder);
    builder.change(`mounted ${call.device} on ${path}`);
    predict(ctx, mountKey(path), {
      device: call.device,
      fstype: call.fstype,
      options: call.options,
    });
    predictMounted(ctx, call, kind);
    if (!ctx.dryRun) {
      await runRecorded(
        ctx,
        sh`${
          kind === "absent" ? sh`mkdir -p -- ${path} && ` : sh``
        }mount -t ${call.fstype} ${flags} -- ${call.device} ${path}`,
        builder,
      );
    }
    return;
  }
  const bind = call.options.includes("bind") || call.options.includes("loop");
  if (!bind && (now.fstype !== call.fstype || !await sameDevice(ctx, call.device, now, builder))) {
    throw new OperationError(
      `server.mount: ${now.device} (${now.fstype}) is mounted on ${path} on ${ctx.session.name}, not ${call.device} (${call.fstype}); unmount it first`,
    );
  }
  const missing = missingFlags(call.options, now.options);
  if (missing.length === 0) return;
  builder.change(`remounted ${path} ${missing.join(",")}`);
  const options = [...now.options.filter((o) => !missing.includes(FLAGS[o])), ...missing];
  predict(ctx, mountKey(path), { ...now, options });
  if (!ctx.dryRun) {
    await runRecorded(ctx, sh`mount -o ${`remount,${missing.join(",")}`} -- ${path}`, builder);
  }
}

/**
 * What a dry run states of the mount point once mounted: a new tmpfs is an
 * empty directory, mode 1777 (or its `mode=`) and root's (unless `uid=` or
 * `gid=`); another filesystem's content is unknown.
 */
function predictMounted(ctx: OpContext, call: MountCall, kind: "directory" | "absent"): void {
  if (call.fstype !== "tmpfs") {
    if (kind === "absent") predictFile(ctx, call.path, UNKNOWN);
    predictUnknownUnder(ctx, call.path);
    return;
  }
  const option = (key: string) =>
    call.options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1);
  const mode = option("mode");
  predictFile(ctx, call.path, {
    type: "directory",
    mode: mode === undefined
      ? "1777"
      : /^[0-7]{1,4}$/.test(mode)
      ? parseInt(mode, 8).toString(8)
      : UNKNOWN,
    user: option("uid") === undefined ? "root" : UNKNOWN,
    group: option("gid") === undefined ? "root" : UNKNOWN,
  });
  predictEmptied(ctx, call.path);
}

/**
 * Whether the mounted device is `device`: the same name, or for a
 * `UUID=`/`LABEL=` tag (what /proc never shows) a device `blkid` finds
 * with that tag, probed afresh (a cached entry may name a device since
 * detached).
 */
async function sameDevice(
  ctx: OpContext,
  device: string,
  now: MountFact,
  builder: ResultBuilder,
): Promise<boolean> {
  if (now.device === device) return true;
  if (!/^(UUID|LABEL|PARTUUID|PARTLABEL)=/.test(device)) return false;
  const found = await runScript(
    ctx,
    sh`blkid -c /dev/null -o device -t ${device} 2>/dev/null || true`,
    builder,
  );
  return found.includes(now.device);
}

/** What is mounted on `path` now, or null. */
async function readMount(
  ctx: OpContext,
  path: string,
  builder: ResultBuilder,
): Promise<MountFact | null> {
  const lines = await runScript(ctx, sh`cat /proc/self/mounts`, builder);
  return parseMounts(lines.join("\n"))[path] ?? null;
}

/** Whether the mount point is a directory or absent; a link or a file there is refused. */
async function pathKind(
  ctx: OpContext,
  path: string,
  builder: ResultBuilder,
): Promise<"directory" | "absent"> {
  let kind: string;
  if (ctx.prediction) {
    const seen = (await viewFiles(ctx, [path])).paths.get(path)!;
    if ("unknown" in seen) throw new StateUnknown(fileKey(path), seen.unknown);
    kind = seen.state.type;
  } else {
    kind = (await runScript(
      ctx,
      sh`p=${path}; if [ -L "$p" ]; then echo link; elif [ -d "$p" ]; then echo directory; elif [ -e "$p" ]; then echo other; else echo absent; fi`,
      builder,
    ))[0];
  }
  if (kind === "directory" || kind === "absent") return kind;
  throw new OperationError(
    `server.mount: ${path} on ${ctx.session.name} is a ${
      kind === "link" ? "symbolic link" : "file"
    }, not a directory: refused`,
  );
}

/** The path's line in fstab: replaced or added, or removed. */
function persistLine(ctx: OpContext, call: MountCall): Promise<OperationResult> {
  const line = [
    fstabField(call.device),
    fstabField(call.path),
    call.fstype,
    call.options.length === 0 ? "defaults" : call.options.join(","),
    "0",
    "0",
  ].join(" ");
  const field = fstabField(call.path);
  const ours = (text: string) => {
    const fields = text.trim().split(/\s+/);
    return !text.trimStart().startsWith("#") && fields[1] === field;
  };
  return editFile(ctx, call.fstab, { create: true }, (text) => {
    const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
    const at = lines.findIndex(ours);
    const kept = lines.filter((candidate) => !ours(candidate));
    if (!call.present) return kept.length === lines.length ? text : joined(kept);
    // The existing line stays when it says the same (its dump and pass fields are the operator's).
    const same = at >= 0 && lines[at].trim().split(/\s+/).slice(0, 4).join(" ") ===
        line.split(" ").slice(0, 4).join(" ") &&
      kept.length === lines.length - 1;
    if (same) return text;
    if (at < 0) return joined([...lines, line]);
    kept.splice(at, 0, line);
    return joined(kept);
  }, "server.mount");
}

function joined(lines: string[]): string {
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
