/**
 * The definitions of the `server.*` operations.
 *
 * @module
 */

import { defineOp, type OpDefinition, type OptionSpec } from "../define_op.ts";
import { GROUP, keys, NOTHING, REBOOT, SYSCTL, USER } from "../effects.ts";
import { fileKey } from "../file_state.ts";
import {
  BOOLEAN,
  either,
  NUMBER,
  object,
  opaque,
  STRING,
  STRING_OR_NUMBER,
  STRINGS,
} from "../op_schema.ts";
import { hostname } from "../hostname.ts";
import { locale, LOCALE_ARCHIVE_DIR } from "../locale.ts";
import { reboot } from "../reboot.ts";
import * as server from "../server.ts";
import { sysctl, SYSCTL_FILE } from "../sysctl.ts";
import { timezone } from "../timezone.ts";
import * as users from "../users.ts";
import { wait } from "../wait.ts";

const PRESENT: OptionSpec = { schema: BOOLEAN, doc: "Present or removed.", default: true };
const SYSTEM: OptionSpec = { schema: BOOLEAN, doc: "A system account.", default: false };

/** The server operations. */
export const SERVER_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "server.shell",
    description: "runs commands in order (always a change)",
    params: [{
      name: "commands",
      schema: opaque("ShellCommand | ShellCommand[]"),
      doc: "Shell text, or `sh` commands.",
    }],
    options: {},
    example: 'ops.server.shell(["systemctl reload nginx"], { _sudo: true })',
    run: server.shell,
  }),
  defineOp({
    name: "server.script",
    description: "uploads a script (a local path, or `{ content }`), runs it, removes it",
    params: [{
      name: "src",
      schema: either(STRING, object("{ content: string }")),
      doc: "A local file, or `{ content }`.",
    }],
    options: { args: { schema: STRINGS, doc: "Its arguments." } },
    example: 'ops.server.script("setup.sh", { args: ["--fast"] })',
    localPaths: [{ at: 0, access: "read" }],
    run: server.script,
  }),
  defineOp({
    name: "server.user",
    description:
      "creates, changes or removes a user (useradd/usermod/userdel); `authorized_keys` exactly (`~/.ssh` 700, file 600)",
    params: [{ name: "name", schema: STRING, doc: "Login name.", into: "name" }],
    options: {
      present: PRESENT,
      home: { schema: STRING, doc: "Home directory." },
      shell: { schema: STRING, doc: "Login shell." },
      group: { schema: STRING, doc: "Primary group (must exist)." },
      groups: { schema: STRINGS, doc: "Supplementary groups, exactly." },
      system: SYSTEM,
      uid: { schema: NUMBER, doc: "User id." },
      publicKeys: { schema: STRINGS, doc: "The exact lines of `~/.ssh/authorized_keys`." },
    },
    optionsType: "UserOptions",
    example: 'ops.server.user("deploy", { shell: "/bin/bash", groups: ["www-data"] })',
    subject: "name",
    mayChange: USER,
    run: users.user,
  }),
  defineOp({
    name: "server.group",
    description: "creates, changes or removes a group (groupadd/groupmod/groupdel)",
    params: [{ name: "name", schema: STRING, doc: "Group name.", into: "name" }],
    options: {
      present: PRESENT,
      gid: { schema: NUMBER, doc: "Group id." },
      system: SYSTEM,
    },
    example: 'ops.server.group("app", { gid: 2000 })',
    subject: "name",
    mayChange: GROUP,
    run: users.group,
  }),
  defineOp({
    name: "server.hostname",
    description:
      "sets the host name: hostnamectl under systemd, else /etc/hostname and `hostname NAME`",
    params: [{ name: "name", schema: STRING, doc: "The host name." }],
    options: {},
    example: 'ops.server.hostname("web1")',
    scope: "files-in-shared-kernel",
    mayChange: keys(() => ["hostname", "file:/etc/hostname"]),
    run: hostname,
  }),
  defineOp({
    name: "server.sysctl",
    description: `\`sysctl -w\` when different; \`persist\` writes ${SYSCTL_FILE}`,
    params: [
      { name: "key", schema: STRING, doc: "The kernel parameter." },
      { name: "value", schema: STRING_OR_NUMBER, doc: "Its value." },
    ],
    options: {
      persist: { schema: BOOLEAN, doc: "Also write it in a sysctl.d file.", default: false },
      file: { schema: STRING, doc: "The sysctl.d file `persist` writes.", default: SYSCTL_FILE },
    },
    example: 'ops.server.sysctl("vm.swappiness", 10, { persist: true })',
    scope: "files-in-shared-kernel",
    mayChange: SYSCTL,
    run: sysctl,
  }),
  defineOp({
    name: "server.reboot",
    description: "reboots, reconnects until the boot id changed, and carries on",
    params: [],
    options: {
      waitSeconds: { schema: NUMBER, doc: "How long to wait for the host.", default: 300 },
      delaySeconds: { schema: NUMBER, doc: "Seconds before the reboot.", default: 1 },
    },
    example: "ops.server.reboot({ waitSeconds: 600 })",
    scope: "machine",
    mayChange: REBOOT,
    run: reboot,
  }),
  defineOp({
    name: "server.timezone",
    description:
      "`/etc/localtime` → `/usr/share/zoneinfo/TZ` and `/etc/timezone`; refuses a zone with no file there",
    params: [{ name: "tz", schema: STRING, doc: "The zone, `Europe/Paris`." }],
    options: {},
    example: 'ops.server.timezone("Europe/Paris")',
    mayChange: keys(() => [fileKey("/etc/localtime"), fileKey("/etc/timezone")]),
    run: timezone,
  }),
  defineOp({
    name: "server.locale",
    description:
      "`LANG=` in /etc/default/locale; enables it in /etc/locale.gen and runs `locale-gen` where that file exists",
    params: [{ name: "locale", schema: STRING, doc: "The locale, `en_US.UTF-8`." }],
    options: {},
    example: 'ops.server.locale("en_US.UTF-8")',
    mayChange: keys(() => [
      fileKey("/etc/default/locale"),
      fileKey("/etc/locale.gen"),
      `${fileKey(LOCALE_ARCHIVE_DIR)}/`,
    ]),
    run: locale,
  }),
  defineOp({
    name: "server.wait",
    description:
      "waits until a TCP port on the host accepts, a path exists, a command succeeds (all that are given); never a change",
    details: "Checks every second; fails naming what is still not ready. A dry run does not wait.",
    params: [],
    options: {
      port: {
        schema: NUMBER,
        doc: "A TCP port on the host (127.0.0.1 or ::1) that must accept connections.",
      },
      path: { schema: STRING, doc: "A path that must exist." },
      command: { schema: STRING, doc: "A shell command that must succeed." },
      timeout: { schema: NUMBER, doc: "Seconds to wait at most.", default: 60 },
    },
    optionsType: "WaitOptions",
    example: "ops.server.wait({ port: 5432, timeout: 30 })",
    subject: "port",
    mayChange: NOTHING,
    run: wait,
  }),
];
