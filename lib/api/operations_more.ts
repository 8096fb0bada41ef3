/**
 * More operations a deploy calls through `ctx.ops`: services under init
 * systems other than systemd, and the pacman and zypper package managers.
 *
 * ```ts
 * import type { MoreOperations } from "./operations_more.ts";
 * async function daemon(ops: MoreOperations): Promise<boolean> {
 *   return (await ops.sysvinit.service({ service: "skiffd", running: true })).changed;
 * }
 * typeof daemon; // "function"
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";
import type { PackagesOptions, ServiceOptions } from "./options.ts";

/** The operations `Operations` has besides its first table. */
export interface MoreOperations {
  /** Services under sysvinit (/etc/init.d scripts). */
  sysvinit: {
    /**
     * Starts/stops, restarts or reloads through /etc/init.d/SERVICE (running
     * as its `status` action says), enables or disables with `update-rc.d`
     * (else `chkconfig`); each only when the state differs.
     */
    service(
      options: Omit<ServiceOptions, "daemonReload"> & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** Services under OpenRC. */
  openrc: {
    /**
     * `rc-service SERVICE start|stop|restart|reload` and `rc-update add|del
     * SERVICE RUNLEVEL` (`runlevel` default `default`), each only when needed.
     */
    service(
      options: Omit<ServiceOptions, "daemonReload"> & { runlevel?: string } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** Arch Linux. */
  pacman: {
    /** Installs (or removes, or upgrades) packages with pacman (`pacman -S --needed`). */
    packages(options: PackagesOptions & OpControl, control?: OpControl): Promise<OperationResult>;
  };
  /** openSUSE and SLES. */
  zypper: {
    /** Installs (or removes, or upgrades) packages with zypper. */
    packages(options: PackagesOptions & OpControl, control?: OpControl): Promise<OperationResult>;
  };
}
