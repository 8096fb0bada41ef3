/**
 * Cron facts: the crontab of a user, and the entries skiff manages in it
 * (each below a `# skiff: NAME` marker line). Read with `crontab -l` where
 * the host has `crontab`, else from cron's spool file
 * (`/var/spool/cron/crontabs/USER`, as Debian's cron keeps it).
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { CronEntryFact } from "../api/mod.ts";
import type { FactDefinition } from "./fact.ts";

/** The directory Debian's cron keeps each user's crontab in. */
export const CRON_SPOOL = "/var/spool/cron/crontabs";

/** The marker line above an entry skiff manages. */
export const CRON_MARKER = "# skiff: ";

/** A crontab as read: how (`crontab` or the spool file) and its lines. */
export interface Crontab {
  via: "crontab" | "spool";
  lines: string[];
}

/**
 * The command that prints how a crontab is read (`crontab` or `spool`),
 * then its lines. `crontab -l` saying "no crontab for" is an empty crontab;
 * any other failure fails the read (never taken for an empty one).
 */
export function crontabCommand(user?: string) {
  const flag = user === undefined ? [] : ["-u", user];
  const file = user === undefined ? sh`"$(id -un)"` : sh`${user}`;
  return sh`if command -v crontab >/dev/null 2>&1; then echo crontab
  if t=$(crontab ${flag} -l 2>&1); then printf '%s\\n' "$t"
  else case $t in "no crontab for"*) ;; *) printf '%s\\n' "$t" >&2; exit 1;; esac; fi
else echo spool; f=${CRON_SPOOL}/${file}; if [ -f "$f" ]; then cat -- "$f" || exit 1; fi; fi`;
}

/**
 * Parses {@linkcode crontabCommand}'s output.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseCrontab } from "./cron.ts";
 * deepStrictEqual(parseCrontab("spool\n# skiff: x\n* * * * * true\n"), {
 *   via: "spool",
 *   lines: ["# skiff: x", "* * * * * true"],
 * });
 * ```
 */
export function parseCrontab(stdout: string): Crontab {
  const [via, ...lines] = stdout.replace(/\n+$/, "").split("\n");
  return { via: via === "crontab" ? "crontab" : "spool", lines };
}

/**
 * The entries below `# skiff: NAME` markers, by name.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { managedEntries } from "./cron.ts";
 * deepStrictEqual(managedEntries(["# skiff: backup", "30 2 * * 0 /usr/local/bin/backup"]), {
 *   backup: { minute: "30", hour: "2", dayOfMonth: "*", month: "*", dayOfWeek: "0", command: "/usr/local/bin/backup" },
 * });
 * ```
 */
export function managedEntries(lines: readonly string[]): Record<string, CronEntryFact> {
  const out: Record<string, CronEntryFact> = {};
  lines.forEach((line, i) => {
    if (!line.startsWith(CRON_MARKER)) return;
    const fields = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(lines[i + 1] ?? "");
    if (!fields) return;
    const [, minute, hour, dayOfMonth, month, dayOfWeek, command] = fields;
    out[line.slice(CRON_MARKER.length)] = { minute, hour, dayOfMonth, month, dayOfWeek, command };
  });
  return out;
}

/** The entries skiff manages in a user's crontab (the user the fact runs as when none is named). */
export const entries: FactDefinition<[string?], Record<string, CronEntryFact>> = {
  name: "cron.entries",
  signature: {
    params: "user?: string",
    returns: "Record<string, CronEntryFact>",
    description:
      "the entries `cron.entry` manages in a crontab (the connecting user's by default), by name",
  },
  // Rest parameters: the user is optional (`skiff facts HOST cron.entries`).
  command: (...args) => crontabCommand(args[0]),
  parse: (stdout) => managedEntries(parseCrontab(stdout).lines),
};
