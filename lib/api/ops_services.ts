/**
 * The `systemd.*`, `git.*`, `cron.*`, `sysvinit.*`, `openrc.*` operations of the deploy API.
 * Written by `deno task gen` from the operations' definitions
 * (lib/operations/defs/) and the facts' signatures: edit those, not this file.
 *
 * ```ts
 * import type { SystemdOperations } from "./ops_services.ts";
 * const names: (keyof SystemdOperations)[] = ["service"];
 * names.length; // 1
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";

/** Options of `systemd.service`. */
export interface ServiceOptions {
  /** Started (true) or stopped (false). */
  running?: boolean;
  /** Started at boot (true) or not (false). */
  enabled?: boolean;
  /** Restart it (when `changed` is given, only when it is true). Default false. */
  restarted?: boolean;
  /** Reload it (when `changed` is given, only when it is true). Default false. */
  reloaded?: boolean;
  /** Run `systemctl daemon-reload` first (under systemd). Default false. */
  daemonReload?: boolean;
  /** Whether something it depends on changed; true restarts a running service. */
  changed?: boolean;
}

/** Options of `git.repo`. */
export interface GitRepoOptions {
  /** Branch or tag to check out (default: the remote's default branch). */
  branch?: string;
  /** Fetch and move to the newest commit of the branch. Default true. */
  pull?: boolean;
  /** Run git as this user. */
  user?: string;
}

/** Options of `cron.entry`. */
export interface CronEntryOptions {
  /** The command (needed unless `present: false`). */
  command?: string;
  /** Minute field. Default "*". */
  minute?: string | number;
  /** Hour field. Default "*". */
  hour?: string | number;
  /** Day-of-month field. Default "*". */
  dayOfMonth?: string | number;
  /** Month field. Default "*". */
  month?: string | number;
  /** Day-of-week field. Default "*". */
  dayOfWeek?: string | number;
  /** Whose crontab. */
  user?: string;
  /** Present or removed. Default true. */
  present?: boolean;
  /** Environment variables set before the command. */
  env?: Record<string, string>;
}

/** Services. */
export interface SystemdOperations {
  /**
   * Start/stop/enable only when the state differs; restart when `changed` is true (init scripts without systemd).
   *
   * Without systemd as PID 1 it uses the init script and `systemctl --root=/` or `update-rc.d`.
   * @param service Unit or init-script name (`nginx` means `nginx.service`).
   *
   * Example: `ops.systemd.service("nginx", { running: true, enabled: true })`
   */
  service(
    service: string,
    options?: ServiceOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Writes a unit file and runs `systemctl daemon-reload` when it changed.
   * @param name The unit file name, `"app.service"`.
   * @param content The unit file.
   *
   * Example: `ops.systemd.unit("app.service", unitText)`
   */
  unit(
    name: string,
    content: string,
    options?: {
      /** The unit directory. Default "/etc/systemd/system". */
      path?: string;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** git. */
export interface GitOperations {
  /**
   * Clones, or fetches and checks out a branch or tag; changed only when HEAD moved.
   * @param src Repository URL or path.
   * @param dest Directory of the working copy.
   *
   * Example: `ops.git.repo("https://git.example.com/site.git", "/srv/site")`
   */
  repo(
    src: string,
    dest: string,
    options?: GitRepoOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** Cron. */
export interface CronOperations {
  /**
   * One crontab line below a `# skiff: NAME` marker (`crontab -`, else cron's spool file).
   *
   * In `user`'s crontab (the connecting user's by default); `env` becomes `KEY='value'` before the command.
   * @param name The entry's marker name.
   *
   * Example: `ops.cron.entry("backup", { command: "/usr/local/bin/backup", hour: 3, minute: 0 })`
   */
  entry(
    name: string,
    options?: CronEntryOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** Services under sysvinit (/etc/init.d scripts). */
export interface SysvinitOperations {
  /**
   * Like `systemd.service`, through /etc/init.d scripts (LSB `status`), `update-rc.d` or `chkconfig`.
   * @param service The service's name (its script under /etc/init.d).
   *
   * Example: `ops.sysvinit.service("nginx", { running: true, enabled: true })`
   */
  service(
    service: string,
    options?: {
      /** Started (true) or stopped (false). */
      running?: boolean;
      /** Started at boot (true) or not (false). */
      enabled?: boolean;
      /** Restart it (when `changed` is given, only when it is true). Default false. */
      restarted?: boolean;
      /** Reload it (when `changed` is given, only when it is true). Default false. */
      reloaded?: boolean;
      /** Whether something it depends on changed; true restarts a running service. */
      changed?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** Services under OpenRC. */
export interface OpenrcOperations {
  /**
   * Like `systemd.service`, with `rc-service` and `rc-update`.
   * @param service The service's name (its script under /etc/init.d).
   *
   * Example: `ops.openrc.service("nginx", { running: true, enabled: true })`
   */
  service(
    service: string,
    options?: {
      /** Started (true) or stopped (false). */
      running?: boolean;
      /** Started at boot (true) or not (false). */
      enabled?: boolean;
      /** Restart it (when `changed` is given, only when it is true). Default false. */
      restarted?: boolean;
      /** Reload it (when `changed` is given, only when it is true). Default false. */
      reloaded?: boolean;
      /** The runlevel it is enabled in. Default "default". */
      runlevel?: string;
      /** Whether something it depends on changed; true restarts a running service. */
      changed?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}
