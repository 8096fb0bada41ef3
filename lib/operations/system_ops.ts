/**
 * System operations of issue 15's breadth item: mounts, kernel modules,
 * downloads on the host, apt's .deb files and upgrades, pacman and
 * zypper packages, and services under sysvinit and openrc. Merged into `OPERATIONS`.
 *
 * @module
 */

import type { OperationSpec } from "./operation_spec.ts";
import { keys, packageChange, packagesOf, pathAt, SERVICE } from "./effects.ts";
import { pacmanPackages, zypperPackages } from "./pacman_zypper.ts";
import { openrcService, sysvinitService } from "./init_services.ts";
import { debFile, upgrade } from "./packages_more.ts";
import { download } from "./download.ts";
import { fileKey, normalizePath } from "./file_state.ts";
import { FSTAB, mount, mountKey } from "./mount.ts";
import { modprobe, moduleKey, modulesLoadFile } from "./modprobe.ts";

/** The system operations by dotted name. */
export const SYSTEM_OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  "server.mount": {
    positional: 1,
    options: ["device", "fstype", "options", "present", "persist", "fstab"],
    scope: "files-in-shared-kernel",
    mayChange: keys((call) => {
      const path = normalizePath(String(call.positional[0]));
      const fstab = typeof call.options.fstab === "string" ? call.options.fstab : FSTAB;
      return [mountKey(path), fileKey(fstab), fileKey(path), `${fileKey(path)}/`];
    }),
    run: mount,
  },
  "server.modprobe": {
    positional: 1,
    options: ["present", "persist"],
    scope: "files-in-shared-kernel",
    mayChange: keys((call) => {
      const name = String(call.positional[0]);
      return [moduleKey(name), fileKey(modulesLoadFile(name))];
    }),
    run: modprobe,
  },
  "files.download": {
    positional: 2,
    options: ["sha256", "mode", "user", "group"],
    subject: (positional) => positional[1],
    mayChange: pathAt(1),
    run: download,
  },
  "apt.deb": {
    positional: 1,
    options: [],
    mayChange: (state, _call, cause) => packageChange(state, "apt", cause),
    run: debFile,
  },
  "apt.upgrade": {
    positional: 0,
    options: ["dist"],
    mayChange: (state, _call, cause) => packageChange(state, "apt", cause),
    run: upgrade,
  },
  "sysvinit.service": {
    positional: 0,
    options: ["service", "running", "enabled", "restarted", "reloaded", "changed"],
    subject: "service",
    mayChange: SERVICE,
    run: sysvinitService,
  },
  "openrc.service": {
    positional: 0,
    options: ["service", "running", "enabled", "runlevel", "restarted", "reloaded", "changed"],
    subject: "service",
    mayChange: SERVICE,
    run: openrcService,
  },
  "pacman.packages": {
    positional: 0,
    options: ["packages", "present", "latest", "update"],
    subject: "packages",
    mayChange: packagesOf("pacman"),
    run: pacmanPackages,
  },
  "zypper.packages": {
    positional: 0,
    options: ["packages", "present", "latest", "update"],
    subject: "packages",
    mayChange: packagesOf("zypper"),
    run: zypperPackages,
  },
};
