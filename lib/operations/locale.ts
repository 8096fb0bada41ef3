/**
 * `server.locale`: the system locale in /etc/default/locale, generated
 * first where the host generates locales from /etc/locale.gen.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { type OpContext, ResultBuilder, runRecorded } from "./context.ts";
import { readRemote } from "./_file_io.ts";
import { editFile, editLine } from "./files_edit.ts";
import { predictUnknownUnder } from "./file_state.ts";

/** Locales every C library has: never generated. */
const BUILT_IN = new Set(["C", "POSIX", "C.UTF-8", "C.utf8"]);

/** Where `locale-gen` writes what it generates. */
export const LOCALE_ARCHIVE_DIR = "/usr/lib/locale";

/**
 * `server.locale(locale)`: `LANG=LOCALE` in /etc/default/locale (other lines
 * kept). Where /etc/locale.gen exists (Debian's `locales` package), the
 * locale's line there is enabled first (`en_US.UTF-8 UTF-8`: the charset
 * after the dot, ISO-8859-1 without one) and `locale-gen` runs when it
 * was not.
 */
export async function locale(ctx: OpContext, name: unknown): Promise<OperationResult> {
  if (typeof name !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(name)) {
    throw new InputError(
      `server.locale locale: expected a locale such as "en_US.UTF-8", got ${JSON.stringify(name)}`,
    );
  }
  const builder = new ResultBuilder();
  if (!BUILT_IN.has(name)) {
    const gen = await readRemote(ctx, "/etc/locale.gen", builder, "stat");
    if (gen.exists) {
      const dot = name.indexOf(".");
      const wanted = `${name} ${dot > 0 ? name.slice(dot + 1) : "ISO-8859-1"}`;
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const match = new RegExp(`^#?\\s*${escaped}\\s`);
      const edited = await editFile(
        ctx,
        "/etc/locale.gen",
        {},
        (text) => editLine(text, wanted, { match }),
        "server.locale",
      );
      builder.absorb(edited);
      if (edited.changed) {
        builder.change("ran locale-gen");
        predictUnknownUnder(ctx, LOCALE_ARCHIVE_DIR);
        if (!ctx.dryRun) await runRecorded(ctx, sh`locale-gen`, builder);
      }
    }
  }
  builder.absorb(
    await editFile(
      ctx,
      "/etc/default/locale",
      { create: true },
      (text) => editLine(text, `LANG=${name}`, { match: /^LANG=/ }),
      "server.locale",
    ),
  );
  return builder.done(`locale is ${name}`);
}
