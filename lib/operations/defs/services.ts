/**
 * The definitions of the `systemd.*`, `git.repo` and `cron.entry` operations.
 *
 * @module
 */

import { defineOp, type OpDefinition, type OptionSpec } from "../define_op.ts";
import { GIT_REPO, keys, SERVICE, SYSTEMD_UNIT } from "../effects.ts";
import { BOOLEAN, record, STRING, STRING_OR_NUMBER } from "../op_schema.ts";
import { cronKeys, entry } from "../cron.ts";
import * as git from "../git.ts";
import * as systemd from "../systemd.ts";

/** The state options every service operation takes (systemd, sysvinit, openrc). */
export const SERVICE_STATE: Readonly<Record<string, OptionSpec>> = {
  running: { schema: BOOLEAN, doc: "Started (true) or stopped (false)." },
  enabled: { schema: BOOLEAN, doc: "Started at boot (true) or not (false)." },
  restarted: {
    schema: BOOLEAN,
    doc: "Restart it (when `changed` is given, only when it is true).",
    default: false,
  },
  reloaded: {
    schema: BOOLEAN,
    doc: "Reload it (when `changed` is given, only when it is true).",
    default: false,
  },
};
/** `changed`: whether something the service depends on changed. */
export const CHANGED: OptionSpec = {
  schema: BOOLEAN,
  doc: "Whether something it depends on changed; true restarts a running service.",
};
const FIELD = (doc: string) => ({ schema: STRING_OR_NUMBER, doc, default: "*" });

/** The service, git and cron operations. */
export const SERVICE_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "systemd.service",
    description:
      "start/stop/enable only when the state differs; restart when `changed` is true (init scripts without systemd)",
    details:
      "Without systemd as PID 1 it uses the init script and `systemctl --root=/` or `update-rc.d`.",
    params: [{
      name: "service",
      schema: STRING,
      doc: "Unit or init-script name (`nginx` means `nginx.service`).",
      into: "service",
    }],
    options: {
      ...SERVICE_STATE,
      daemonReload: {
        schema: BOOLEAN,
        doc: "Run `systemctl daemon-reload` first (under systemd).",
        default: false,
      },
      changed: CHANGED,
    },
    optionsType: "ServiceOptions",
    example: 'ops.systemd.service("nginx", { running: true, enabled: true })',
    subject: "service",
    mayChange: SERVICE,
    run: systemd.service,
  }),
  defineOp({
    name: "systemd.unit",
    description: "writes a unit file and runs `systemctl daemon-reload` when it changed",
    params: [
      { name: "name", schema: STRING, doc: 'The unit file name, `"app.service"`.' },
      { name: "content", schema: STRING, doc: "The unit file." },
    ],
    options: {
      path: { schema: STRING, doc: "The unit directory.", default: "/etc/systemd/system" },
    },
    example: 'ops.systemd.unit("app.service", unitText)',
    mayChange: SYSTEMD_UNIT,
    run: systemd.unit,
  }),
  defineOp({
    name: "git.repo",
    description: "clones, or fetches and checks out a branch or tag; changed only when HEAD moved",
    params: [
      { name: "src", schema: STRING, doc: "Repository URL or path.", into: "src" },
      { name: "dest", schema: STRING, doc: "Directory of the working copy.", into: "dest" },
    ],
    options: {
      branch: {
        schema: STRING,
        doc: "Branch or tag to check out (default: the remote's default branch).",
      },
      pull: {
        schema: BOOLEAN,
        doc: "Fetch and move to the newest commit of the branch.",
        default: true,
      },
      user: { schema: STRING, doc: "Run git as this user." },
    },
    optionsType: "GitRepoOptions",
    example: 'ops.git.repo("https://git.example.com/site.git", "/srv/site")',
    subject: "dest",
    mayChange: GIT_REPO,
    run: git.repo,
  }),
  defineOp({
    name: "cron.entry",
    description:
      "one crontab line below a `# skiff: NAME` marker (`crontab -`, else cron's spool file)",
    details:
      "In `user`'s crontab (the connecting user's by default); `env` becomes `KEY='value'` before the command.",
    params: [{ name: "name", schema: STRING, doc: "The entry's marker name." }],
    options: {
      command: { schema: STRING, doc: "The command (needed unless `present: false`)." },
      minute: FIELD("Minute field."),
      hour: FIELD("Hour field."),
      dayOfMonth: FIELD("Day-of-month field."),
      month: FIELD("Month field."),
      dayOfWeek: FIELD("Day-of-week field."),
      user: { schema: STRING, doc: "Whose crontab." },
      present: { schema: BOOLEAN, doc: "Present or removed.", default: true },
      env: { schema: record(STRING), doc: "Environment variables set before the command." },
    },
    optionsType: "CronEntryOptions",
    example: 'ops.cron.entry("backup", { command: "/usr/local/bin/backup", hour: 3, minute: 0 })',
    mayChange: keys((call) => cronKeys(call.options.user)),
    run: entry,
  }),
];
