/**
 * `cron.entry`: one crontab line that skiff manages, below a
 * `# skiff: NAME` marker line, in a user's crontab.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { CronEntryOptions, OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import {
  CRON_MARKER,
  CRON_SPOOL,
  type Crontab,
  crontabCommand,
  parseCrontab,
} from "../facts/cron.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { contentDiff, encoder } from "./_file_io.ts";
import { fileKey } from "./file_state.ts";
import { cronKey, predict, readKey } from "./predicted_facts.ts";
import { UNKNOWN } from "./predicted_state.ts";

const FIELDS = ["minute", "hour", "dayOfMonth", "month", "dayOfWeek"] as const;

/**
 * The keys `cron.entry` may change: the user's crontab and its spool file;
 * with no user named, any crontab (whose the connecting user's is, is not
 * known to a declaration).
 */
export function cronKeys(user: unknown): string[] {
  if (typeof user !== "string") return ["cron:", `${fileKey(CRON_SPOOL)}/`];
  return [cronKey(user), fileKey(`${CRON_SPOOL}/${user}`)];
}

function fail(what: string, detail: string): never {
  throw new InputError(`cron.entry ${what}: ${detail}`);
}

/** The crontab line an entry is, from validated options. */
function entryLine(options: CronEntryOptions): string {
  const fields = FIELDS.map((key) => {
    const value = options[key] ?? "*";
    const text = String(value);
    if ((typeof value !== "string" && typeof value !== "number") || !/^[^\s#][^\s]*$/.test(text)) {
      fail(key, `expected a schedule field such as "*/5" or 30, got ${JSON.stringify(value)}`);
    }
    return text;
  });
  const command = options.command;
  if (typeof command !== "string" || command.trim() === "" || /[\n\r]/.test(command)) {
    fail("command", `expected one line of shell, got ${JSON.stringify(command)}`);
  }
  const env = Object.entries(options.env ?? {}).map(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) fail("env", `not a variable name: "${key}"`);
    if (typeof value !== "string" || /[\n\r]/.test(value)) {
      fail("env", `${key}: expected one line of text, got ${JSON.stringify(value)}`);
    }
    // Quoted for the shell cron runs; `%` is a newline to cron unless escaped.
    return `${key}='${value.replaceAll("'", `'"'"'`).replaceAll("%", "\\%")}' `;
  });
  return `${fields.join(" ")} ${env.join("")}${command}`;
}

/**
 * `cron.entry(name, {command, minute, hour, dayOfMonth, month, dayOfWeek,
 * user, present, env})`: the crontab line below the marker
 * `# skiff: NAME` in `user`'s crontab (the connecting user's when none is
 * named). Unset schedule fields are `*`; `env` becomes `KEY='value'`
 * before the command. Written with `crontab -` where the host has
 * `crontab`, else as cron's spool file (owner `user`, group `crontab`
 * when there is one, mode 600), as `crontab` itself writes it.
 */
export async function entry(
  ctx: OpContext,
  name: unknown,
  options: CronEntryOptions,
): Promise<OperationResult> {
  if (typeof name !== "string" || name.trim() === "" || /[\n\r]/.test(name)) {
    fail("name", `expected one line of text, got ${JSON.stringify(name)}`);
  }
  if (name.startsWith("-")) fail("name", `must not start with "-", got ${JSON.stringify(name)}`);
  const user = options.user;
  if (user !== undefined && (typeof user !== "string" || !/^[^-:\s/][^:\s/]*$/.test(user))) {
    fail("user", `expected a user name, got ${JSON.stringify(user)}`);
  }
  const present = options.present ?? true;
  const line = present ? entryLine(options) : undefined;
  const builder = new ResultBuilder();
  // The connecting user's crontab is known by that user's name, as when it is named.
  const who = user ?? (await runScript(ctx, sh`id -un`, builder))[0];
  const key = cronKey(who);
  const current = await readKey<Crontab>(ctx, key, async () => {
    const lines = await runScript(ctx, crontabCommand(user), builder);
    return parseCrontab(lines.join("\n"));
  });
  const marker = `${CRON_MARKER}${name}`;
  const at = current.lines.indexOf(marker);
  const next = [...current.lines];
  const owner = user === undefined ? "" : ` for ${user}`;
  const entryAt = at >= 0 && next[at + 1] !== undefined && !next[at + 1].startsWith(CRON_MARKER);
  if (line === undefined) {
    if (at < 0) return builder.done(`cron entry ${name} is absent${owner}`);
    next.splice(at, entryAt ? 2 : 1);
    builder.change(`removed cron entry ${name}${owner}`);
  } else if (at < 0) {
    next.push(marker, line);
    builder.change(`added cron entry ${name}${owner}`);
  } else if (entryAt && next[at + 1] === line) {
    return builder.done(`cron entry ${name} is as wanted${owner}`);
  } else {
    next.splice(at + 1, entryAt ? 1 : 0, line);
    builder.change(`updated cron entry ${name}${owner}`);
  }
  const text = next.length === 0 ? "" : `${next.join("\n")}\n`;
  if (ctx.wantDiff) {
    const before = current.lines.length === 0 ? "" : `${current.lines.join("\n")}\n`;
    builder.diff(
      contentDiff(
        `crontab${user ? ` (${user})` : ""}`,
        encoder.encode(before),
        encoder.encode(text),
      ),
    );
  }
  predict(ctx, key, { via: current.via, lines: next });
  if (current.via === "spool") predict(ctx, fileKey(`${CRON_SPOOL}/${who}`), UNKNOWN);
  if (!ctx.dryRun) await write(ctx, { via: current.via, text, user }, builder);
  return builder.done("");
}

/** Installs the crontab text: `crontab -`, or cron's spool file written as `crontab` writes it. */
async function write(
  ctx: OpContext,
  { via, text, user }: { via: Crontab["via"]; text: string; user?: string },
  builder: ResultBuilder,
): Promise<void> {
  if (via === "crontab") {
    const flag = user === undefined ? [] : ["-u", user];
    await runRecorded(ctx, sh`printf %s ${text} | crontab ${flag} -`, builder);
    return;
  }
  const who = user === undefined ? sh`"$(id -un)"` : sh`${user}`;
  await runRecorded(
    ctx,
    sh`d=${CRON_SPOOL}; u=${who}
if getent group crontab >/dev/null 2>&1; then o="$u:crontab"; else o=$u; fi
if [ ! -d "$d" ]; then mkdir -p -- "$d" && chmod 1730 "$d" || exit 1; fi
t=$(mktemp -- "$d/.skiff-XXXXXX") || exit 1
if printf %s ${text} > "$t" && chown -- "$o" "$t" && chmod 600 "$t" && mv -f -- "$t" "$d/$u"; then :; else rm -f -- "$t"; exit 1; fi`,
    builder,
  );
}
