/**
 * Operations added beside the first table in `registry.ts` (which is kept
 * under the file-size limit): copy and move on the host, cron entries,
 * time zone and locale, waiting for a host to be ready. Merged into
 * `OPERATIONS`.
 *
 * @module
 */

import type { OperationSpec } from "./operation_spec.ts";
import { all, keys, NOTHING, pathAt } from "./effects.ts";
import { cronKeys, entry } from "./cron.ts";
import { fileKey } from "./file_state.ts";
import { locale, LOCALE_ARCHIVE_DIR } from "./locale.ts";
import { timezone } from "./timezone.ts";
import { wait } from "./wait.ts";
import { copy, move } from "./files_copy.ts";

const FILE_ATTRIBUTES = ["mode", "user", "group"] as const;

/** The added operations by dotted name. */
export const MORE_OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  "files.copy": {
    positional: 2,
    options: [...FILE_ATTRIBUTES],
    subject: (positional) => positional[1],
    mayChange: pathAt(1),
    run: copy,
  },
  "files.move": {
    positional: 2,
    options: [],
    subject: (positional) => positional[1],
    mayChange: all(pathAt(0, () => true), pathAt(1, () => true)),
    run: move,
  },
  "cron.entry": {
    positional: 1,
    options: [
      "command",
      "minute",
      "hour",
      "dayOfMonth",
      "month",
      "dayOfWeek",
      "user",
      "present",
      "env",
    ],
    mayChange: keys((call) => cronKeys(call.options.user)),
    run: entry,
  },
  "server.timezone": {
    positional: 1,
    options: [],
    mayChange: keys(() => [fileKey("/etc/localtime"), fileKey("/etc/timezone")]),
    run: timezone,
  },
  "server.locale": {
    positional: 1,
    options: [],
    mayChange: keys(() => [
      fileKey("/etc/default/locale"),
      fileKey("/etc/locale.gen"),
      `${fileKey(LOCALE_ARCHIVE_DIR)}/`,
    ]),
    run: locale,
  },
  "server.wait": {
    positional: 0,
    options: ["port", "path", "command", "timeout"],
    subject: "port",
    mayChange: NOTHING,
    run: wait,
  },
};
