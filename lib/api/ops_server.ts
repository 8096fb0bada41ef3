/**
 * The `server.*` operations of the deploy API.
 * Written by `deno task gen` from the operations' definitions
 * (lib/operations/defs/) and the facts' signatures: edit those, not this file.
 *
 * ```ts
 * import type { ServerOperations } from "./ops_server.ts";
 * const names: (keyof ServerOperations)[] = ["shell"];
 * names.length; // 1
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";
import type { ShellCommand } from "./options.ts";

/** Options of `server.user`. */
export interface UserOptions {
  /** Present or removed. Default true. */
  present?: boolean;
  /** Home directory. */
  home?: string;
  /** Login shell. */
  shell?: string;
  /** Primary group (must exist). */
  group?: string;
  /** Supplementary groups, exactly. */
  groups?: string[];
  /** A system account. Default false. */
  system?: boolean;
  /** User id. */
  uid?: number;
  /** The exact lines of `~/.ssh/authorized_keys`. */
  publicKeys?: string[];
}

/** Options of `server.wait`. */
export interface WaitOptions {
  /** A TCP port on the host (127.0.0.1 or ::1) that must accept connections. */
  port?: number;
  /** A path that must exist. */
  path?: string;
  /** A shell command that must succeed. */
  command?: string;
  /** Seconds to wait at most. Default 60. */
  timeout?: number;
}

/** Options of `server.mount`. */
export interface MountOptions {
  /** What to mount (`/dev/sdb1`, `UUID=…`, `tmpfs`); required unless `present: false`. */
  device?: string;
  /** The filesystem type (`ext4`, `tmpfs`, `none` with `bind`); required unless `present: false`. */
  fstype?: string;
  /** Mount options, `"a,b"` or a list (`defaults` when none). */
  options?: string | string[];
  /** Mounted (true) or not (false). Default true. */
  present?: boolean;
  /** Keep the path's fstab line in step too. Default true. */
  persist?: boolean;
  /** The fstab file. Default "/etc/fstab". */
  fstab?: string;
}

/** Server-level operations. */
export interface ServerOperations {
  /**
   * Runs commands in order (always a change).
   * @param commands Shell text, or `sh` commands.
   *
   * Example: `ops.server.shell(["systemctl reload nginx"], { _sudo: true })`
   */
  shell(
    commands: ShellCommand | ShellCommand[],
    options?: OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Uploads a script (a local path, or `{ content }`), runs it, removes it.
   * @param src A local file, or `{ content }`.
   *
   * Example: `ops.server.script("setup.sh", { args: ["--fast"] })`
   */
  script(
    src: string | { content: string },
    options?: {
      /** Its arguments. */
      args?: string[];
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Creates, changes or removes a user (useradd/usermod/userdel); `authorized_keys` exactly (`~/.ssh` 700, file 600).
   * @param name Login name.
   *
   * Example: `ops.server.user("deploy", { shell: "/bin/bash", groups: ["www-data"] })`
   */
  user(
    name: string,
    options?: UserOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Creates, changes or removes a group (groupadd/groupmod/groupdel).
   * @param name Group name.
   *
   * Example: `ops.server.group("app", { gid: 2000 })`
   */
  group(
    name: string,
    options?: {
      /** Present or removed. Default true. */
      present?: boolean;
      /** Group id. */
      gid?: number;
      /** A system account. Default false. */
      system?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Sets the host name: hostnamectl under systemd, else /etc/hostname and `hostname NAME`.
   * @param name The host name.
   *
   * Example: `ops.server.hostname("web1")`
   */
  hostname(
    name: string,
    options?: OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `sysctl -w` when different; `persist` writes /etc/sysctl.d/99-skiff.conf.
   * @param key The kernel parameter.
   * @param value Its value.
   *
   * Example: `ops.server.sysctl("vm.swappiness", 10, { persist: true })`
   */
  sysctl(
    key: string,
    value: string | number,
    options?: {
      /** Also write it in a sysctl.d file. Default false. */
      persist?: boolean;
      /** The sysctl.d file `persist` writes. Default "/etc/sysctl.d/99-skiff.conf". */
      file?: string;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Reboots, reconnects until the boot id changed, and carries on.
   *
   * Example: `ops.server.reboot({ waitSeconds: 600 })`
   */
  reboot(
    options?: {
      /** How long to wait for the host. Default 300. */
      waitSeconds?: number;
      /** Seconds before the reboot. Default 1. */
      delaySeconds?: number;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `/etc/localtime` → `/usr/share/zoneinfo/TZ` and `/etc/timezone`; refuses a zone with no file there.
   * @param tz The zone, `Europe/Paris`.
   *
   * Example: `ops.server.timezone("Europe/Paris")`
   */
  timezone(
    tz: string,
    options?: OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `LANG=` in /etc/default/locale; enables it in /etc/locale.gen and runs `locale-gen` where that file exists.
   * @param locale The locale, `en_US.UTF-8`.
   *
   * Example: `ops.server.locale("en_US.UTF-8")`
   */
  locale(
    locale: string,
    options?: OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Waits until a TCP port on the host accepts, a path exists, a command succeeds (all that are given); never a change.
   *
   * Checks every second; fails naming what is still not ready. A dry run does not wait.
   *
   * Example: `ops.server.wait({ port: 5432, timeout: 30 })`
   */
  wait(
    options?: WaitOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Mounts (mkdir first), remounts when a flag like `noexec` differs, or unmounts; `persist` (default): the fstab line too.
   *
   * Never replaces another filesystem mounted at `path` (an error says to unmount it first). On a chroot or a container only the fstab line is written.
   * @param path The mount point.
   *
   * Example: `ops.server.mount("/srv/cache", { device: "tmpfs", fstype: "tmpfs", options: "size=64m" })`
   */
  mount(
    path: string,
    options?: MountOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `modprobe` / `modprobe -r` as /sys/module tells; `persist` writes /etc/modules-load.d/MODULE.conf.
   *
   * On a chroot or a container only that file is written.
   * @param module The kernel module's name.
   *
   * Example: `ops.server.modprobe("br_netfilter", { persist: true })`
   */
  modprobe(
    module: string,
    options?: {
      /** Loaded (true) or not (false). Default true. */
      present?: boolean;
      /** Keep /etc/modules-load.d/MODULE.conf in step (loaded at boot). Default false. */
      persist?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}
