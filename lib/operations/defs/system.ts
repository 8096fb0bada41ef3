/**
 * The definitions of the system operations: mounts and kernel modules
 * (`server.*`), downloads on the host (`files.download`), apt's .deb files
 * and upgrades, pacman and zypper packages, and services under sysvinit and
 * openrc. `defs/mod.ts` adds each to its family's group.
 *
 * @module
 */

import { defineOp, type OpDefinition } from "../define_op.ts";
import { keys, packageChange, pathAt, SERVICE } from "../effects.ts";
import { BOOLEAN, SECRET_STRING, STRING, STRING_OR_STRINGS } from "../op_schema.ts";
import { fileKey, normalizePath } from "../file_state.ts";
import { FSTAB, mount, mountKey } from "../mount.ts";
import { modprobe, moduleKey, modulesLoadFile } from "../modprobe.ts";
import { download } from "../download.ts";
import { debFile, upgrade } from "../packages_more.ts";
import { pacmanPackages, zypperPackages } from "../pacman_zypper.ts";
import { openrcService, sysvinitService } from "../init_services.ts";
import { FILE_ATTRIBUTES } from "./files.ts";
import { managerPackages } from "./packages.ts";
import { CHANGED, SERVICE_STATE } from "./services.ts";

const SERVICE_NAME = {
  name: "service",
  schema: STRING,
  doc: "The service's name (its script under /etc/init.d).",
  into: "service",
};

/** `server.mount` and `server.modprobe`. */
export const SYSTEM_SERVER_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "server.mount",
    description:
      "mounts (mkdir first), remounts when a flag like `noexec` differs, or unmounts; `persist` (default): the fstab line too",
    details:
      "Never replaces another filesystem mounted at `path` (an error says to unmount it first). On a chroot or a container only the fstab line is written.",
    params: [{ name: "path", schema: STRING, doc: "The mount point." }],
    options: {
      device: {
        schema: STRING,
        doc: "What to mount (`/dev/sdb1`, `UUID=…`, `tmpfs`); required unless `present: false`.",
      },
      fstype: {
        schema: STRING,
        doc:
          "The filesystem type (`ext4`, `tmpfs`, `none` with `bind`); required unless `present: false`.",
      },
      options: {
        schema: STRING_OR_STRINGS,
        doc: 'Mount options, `"a,b"` or a list (`defaults` when none).',
      },
      present: { schema: BOOLEAN, doc: "Mounted (true) or not (false).", default: true },
      persist: { schema: BOOLEAN, doc: "Keep the path's fstab line in step too.", default: true },
      fstab: { schema: STRING, doc: "The fstab file.", default: FSTAB },
    },
    optionsType: "MountOptions",
    example:
      'ops.server.mount("/srv/cache", { device: "tmpfs", fstype: "tmpfs", options: "size=64m" })',
    scope: "files-in-shared-kernel",
    mayChange: keys((call) => {
      const path = normalizePath(String(call.positional[0]));
      const fstab = typeof call.options.fstab === "string" ? call.options.fstab : FSTAB;
      return [mountKey(path), fileKey(fstab), fileKey(path), `${fileKey(path)}/`];
    }),
    run: mount,
  }),
  defineOp({
    name: "server.modprobe",
    description:
      "`modprobe` / `modprobe -r` as /sys/module tells; `persist` writes /etc/modules-load.d/MODULE.conf",
    details: "On a chroot or a container only that file is written.",
    params: [{ name: "module", schema: STRING, doc: "The kernel module's name." }],
    options: {
      present: { schema: BOOLEAN, doc: "Loaded (true) or not (false).", default: true },
      persist: {
        schema: BOOLEAN,
        doc: "Keep /etc/modules-load.d/MODULE.conf in step (loaded at boot).",
        default: false,
      },
    },
    example: 'ops.server.modprobe("br_netfilter", { persist: true })',
    scope: "files-in-shared-kernel",
    mayChange: keys((call) => {
      const name = String(call.positional[0]);
      return [moduleKey(name), fileKey(modulesLoadFile(name))];
    }),
    run: modprobe,
  }),
];

/** `files.download`. */
export const SYSTEM_FILES_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "files.download",
    description:
      "the host fetches (curl, else wget) into a temporary file, checks the sha256, renames; skipped when it matches",
    details:
      "Without `sha256` an existing `dest` is kept. A URL with credentials: `ctx.secret(url)`, shown `***` and never in any process's arguments.",
    params: [
      {
        name: "url",
        schema: SECRET_STRING,
        doc: "What to fetch (a secret when it holds a token).",
      },
      { name: "dest", schema: STRING, doc: "The file on the host." },
    ],
    options: {
      ...FILE_ATTRIBUTES,
      sha256: { schema: STRING, doc: "The expected sha256 (64 hexadecimal digits)." },
    },
    example:
      'ops.files.download("https://example.org/tool.tar.gz", "/opt/tool.tar.gz", { sha256: sum })',
    subject: (positional) => positional[1],
    mayChange: pathAt(1),
    run: download,
  }),
];

/** `apt.deb`, `apt.upgrade`, `pacman.packages` and `zypper.packages`. */
export const SYSTEM_PACKAGE_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "apt.deb",
    description:
      "installs a .deb file on the host with `apt-get install` unless that version is installed (up or down)",
    params: [{ name: "src", schema: STRING, doc: "The .deb file's path on the host." }],
    options: {},
    example: 'ops.apt.deb("/tmp/tool_1.0_amd64.deb")',
    mayChange: (state, _call, cause) => packageChange(state, "apt", cause),
    run: debFile,
  }),
  defineOp({
    name: "apt.upgrade",
    description:
      "`apt-get upgrade` / `dist-upgrade` when its simulation names packages; those are the change",
    details: "The lists are not refreshed: run `apt.update` first.",
    params: [],
    options: {
      dist: { schema: BOOLEAN, doc: "`apt-get dist-upgrade` instead.", default: false },
    },
    example: "ops.apt.upgrade({ dist: true })",
    mayChange: (state, _call, cause) => packageChange(state, "apt", cause),
    run: upgrade,
  }),
  managerPackages("pacman", pacmanPackages),
  managerPackages("zypper", zypperPackages),
];

/** `sysvinit.service` and `openrc.service`. */
export const SYSTEM_SERVICE_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "sysvinit.service",
    description:
      "like `systemd.service`, through /etc/init.d scripts (LSB `status`), `update-rc.d` or `chkconfig`",
    params: [SERVICE_NAME],
    options: { ...SERVICE_STATE, changed: CHANGED },
    example: 'ops.sysvinit.service("nginx", { running: true, enabled: true })',
    subject: "service",
    mayChange: SERVICE,
    run: sysvinitService,
  }),
  defineOp({
    name: "openrc.service",
    description: "like `systemd.service`, with `rc-service` and `rc-update`",
    params: [SERVICE_NAME],
    options: {
      ...SERVICE_STATE,
      runlevel: { schema: STRING, doc: "The runlevel it is enabled in.", default: "default" },
      changed: CHANGED,
    },
    example: 'ops.openrc.service("nginx", { running: true, enabled: true })',
    subject: "service",
    mayChange: SERVICE,
    run: openrcService,
  }),
];
