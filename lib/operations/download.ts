/**
 * `files.download`: a file fetched by the host itself (curl, else wget),
 * checked against its sha256 before it is renamed into place.
 *
 * @module
 */

import { MASK, SecretValue, sh } from "../core/command.ts";
import type { FileAttributes, OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { normalizeMode, type OpContext, ownerSpec, ResultBuilder, runScript } from "./context.ts";
import { fixAttributes, pathCheck, readRemote } from "./_file_io.ts";
import { predictNewFile } from "./files_copy.ts";
import { UNKNOWN } from "./predicted_state.ts";

/** The options of `files.download`. */
export interface DownloadOptions extends FileAttributes {
  sha256?: string;
}

function fail(what: string, detail: string): never {
  throw new InputError(`files.download ${what}: ${detail}`);
}

/**
 * `files.download(url, dest, {sha256, mode, user, group})`: the host
 * fetches `url` with curl, else wget, into a temporary file beside `dest`,
 * checks its sha256 when one is given (a mismatch fails and leaves `dest`
 * as it was), sets mode (`mode`, else the replaced file's, else 644) and
 * owner on it, and renames it to `dest`. Skipped when `dest` has the
 * sha256 given, or, with none given, when `dest` exists; then only mode and
 * owner are fixed. A link at `dest` is refused. The URL reaches curl
 * (`-K -`) or wget (`-i -`) on their stdin, never in a command line; a
 * secret one (`ctx.secret(url)`, credentials in it) is `***` in reports.
 */
export async function download(
  ctx: OpContext,
  source: unknown,
  target: unknown,
  options: DownloadOptions,
): Promise<OperationResult> {
  // A URL with credentials in it may be a secret (`ctx.secret(url)`): shown as ***.
  const secret = source instanceof SecretValue ? source : undefined;
  const url = secret ? secret.reveal() : source;
  if (typeof url !== "string" || !/^(https?|ftp):\/\/[^\s"\\]+$/.test(url)) {
    fail("url", `expected an http, https or ftp URL, got ${JSON.stringify(secret ? MASK : url)}`);
  }
  const shown = secret ? MASK : url;
  const dest = pathCheck(target, "files.download dest");
  const wanted = options.sha256;
  if (wanted !== undefined && (typeof wanted !== "string" || !/^[0-9a-fA-F]{64}$/.test(wanted))) {
    fail("sha256", `expected 64 hexadecimal digits, got ${JSON.stringify(wanted)}`);
  }
  const sha256 = wanted?.toLowerCase();
  normalizeMode(options.mode, "files.download mode");
  const owner = ownerSpec(options);
  const builder = new ResultBuilder();
  const now = await readRemote(ctx, dest, builder, sha256 === undefined ? "stat" : "sha256");
  if (now.exists && (sha256 === undefined || now.sha256 === sha256)) {
    await fixAttributes(ctx, dest, now, options, builder);
    return builder.done(
      sha256 === undefined ? `${dest} exists` : `${dest} has sha256 ${sha256.slice(0, 12)}…`,
    );
  }
  builder.change(`downloaded ${shown} -> ${dest}`);
  const mode = normalizeMode(options.mode) ?? (now.exists ? now.mode! : "644");
  if (ctx.prediction) {
    const hash = sha256 ?? UNKNOWN;
    await predictNewFile(ctx, "files.download", {
      dest,
      sha256: hash,
      mode,
      options,
      content: UNKNOWN,
    });
    return builder.done("");
  }
  await runScript(
    ctx,
    sh`u=${secret ?? url}; d=${dest}
t=$(mktemp -- "$d.skiff-XXXXXX") || exit 1
if command -v curl >/dev/null 2>&1; then printf 'url = "%s"\\n' "$u" | curl -fsSL -o "$t" -K -
elif command -v wget >/dev/null 2>&1; then printf '%s\\n' "$u" | wget -q -O "$t" -i - || { r=$?
  if [ "$r" = 8 ]; then echo "files.download: the server answered with an error such as 404 (wget exit code 8)" >&2
  else echo "files.download: wget failed with exit code $r" >&2; fi; false; }
else echo "files.download: neither curl nor wget is installed" >&2; false; fi || { rm -f -- "$t"; exit 1; }
${
      sha256 === undefined
        ? sh``
        : sh`h=$(sha256sum < "$t") && h=\${h%% *} || { rm -f -- "$t"; exit 1; }
if [ "$h" != ${sha256} ]; then echo "files.download: "${shown}" has sha256 $h, not "${sha256} >&2; rm -f -- "$t"; exit 1; fi
`
    }if chmod -- ${mode} "$t"${
      owner === undefined ? sh`` : sh` && chown -- ${owner} "$t"`
    } && mv -f -- "$t" "$d"; then :; else rm -f -- "$t"; exit 1; fi`,
    builder,
  );
  ctx.session.invalidateFacts("files.");
  return builder.done("");
}
