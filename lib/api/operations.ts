/**
 * The operations a deploy calls through `ctx.ops`.
 *
 * ```ts
 * import type { Operations } from "./operations.ts";
 * async function webRoot(ops: Operations): Promise<boolean> {
 *   return (await ops.files.directory("/srv/www", { mode: "755" })).changed;
 * }
 * typeof webRoot; // "function"
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";
import type { MoreOperations } from "./operations_more.ts";
import type { AppOperations } from "./app_operations.ts";
import type { Command, SecretValue } from "./values.ts";
import type {
  AptPackagesOptions,
  AptRepoOptions,
  GitRepoOptions,
  MountOptions,
  PackagesOptions,
  ServiceOptions,
  UserOptions,
} from "./options.ts";

/** A command for `server.shell`: text, or a `sh` tagged-template Command. */
export type ShellCommand = string | Command;

/** Ownership and mode shared by file operations. */
export interface FileAttributes {
  /** Octal mode such as `"644"`. */
  mode?: string;
  /** Owner user name. */
  user?: string;
  /** Owner group name. */
  group?: string;
}

/**
 * Jinja2 settings for `files.template`. Ansible's are the default:
 * `trimBlocks` on, None printed as '', the output ending in as many
 * newlines as the template. A `#jinja2: trim_blocks: False` first line sets
 * them per template too (and is removed).
 */
export interface JinjaSettings {
  /** Drop the first newline after a block or comment tag (default true, as Ansible; Jinja2 and pyinfra: false). */
  trimBlocks?: boolean;
  /** Strip spaces and tabs before a block tag that starts a line (default false). */
  lstripBlocks?: boolean;
  /** Keep the template's final newline as is (default: false with `ansible`, true without). */
  keepTrailingNewline?: boolean;
  /**
   * Ansible's `template` module (default true): None prints as '' and the
   * output ends in at least as many newlines as the template. False is plain
   * Jinja2 as pyinfra sets it up: None prints 'None'.
   */
  ansible?: boolean;
}

/**
 * The operations a deploy calls. Subject first, then options, then control
 * arguments. Local paths (relative to the deploy's directory) may be read
 * inside the deploys' directories and `--allow-read`/fleet `allow_read`
 * paths, and written only inside `--allow-write`/fleet `allow_write` paths;
 * others are refused, after `..` and symlinks are resolved.
 */
export interface Operations extends MoreOperations, AppOperations {
  /** Server-level operations. */
  server: {
    /** Runs shell commands in order. Always reports a change. */
    shell(
      commands: ShellCommand | ShellCommand[],
      options?: OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Uploads a script (a local path, or `{ content }`) and runs it. */
    script(
      source: string | { content: string },
      options?: { args?: string[] } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a user account exists (or not) with its home, shell, groups and exact SSH keys. */
    user(options: UserOptions & OpControl, control?: OpControl): Promise<OperationResult>;
    /** Ensures a group exists (or not), optionally with a fixed gid. */
    group(
      options: { name: string; present?: boolean; gid?: number; system?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Sets the host name (hostnamectl under systemd, else /etc/hostname and `hostname`). */
    hostname(
      name: string,
      options?: OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Sets a kernel parameter now (`sysctl -w`) and, with `persist`, in /etc/sysctl.d. */
    sysctl(
      key: string,
      value: string | number,
      options?: { persist?: boolean; file?: string } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /**
     * Sets the time zone: `/etc/localtime` a link to `/usr/share/zoneinfo/TZ`
     * and `/etc/timezone` holding `TZ`. A zone with no file there is refused.
     */
    timezone(tz: string, options?: OpControl, control?: OpControl): Promise<OperationResult>;
    /**
     * Sets `LANG` in /etc/default/locale; where /etc/locale.gen exists, enables
     * the locale there and runs `locale-gen` first.
     */
    locale(locale: string, options?: OpControl, control?: OpControl): Promise<OperationResult>;
    /**
     * Waits on the host, checking every second for at most `timeout` seconds
     * (default 60), until a TCP port on it accepts, `path` exists and
     * `command` succeeds (all that are given). Never a change; fails naming
     * what is still not ready. A dry run does not wait.
     */
    wait(
      options: { port?: number; path?: string; command?: string; timeout?: number } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /**
     * `device` mounted on `path` with `fstype` and `options` (remounted when a
     * flag such as `ro` or `noexec` differs; never replacing another
     * filesystem), or unmounted with `present: false`; with `persist` (the
     * default) the path's fstab line says the same. On a chroot or a
     * container only the fstab line is written.
     */
    mount(
      path: string,
      options: MountOptions & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /**
     * A kernel module loaded (`modprobe`) or unloaded (`present: false`);
     * with `persist` its file `/etc/modules-load.d/MODULE.conf` too. On a
     * chroot or a container only that file is written.
     */
    modprobe(
      module: string,
      options?: { present?: boolean; persist?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Reboots the host, waits until it is back (a new boot id), and carries on. */
    reboot(
      options?: { waitSeconds?: number; delaySeconds?: number } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** File operations. */
  files: {
    /** Uploads a local file (path) or `{ content }` to `dest`; skipped when the sha256 matches. */
    put(
      source: string | { content: string | Uint8Array },
      dest: string,
      options?: FileAttributes & { createRemoteDir?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Downloads `src` to a local path, which must be granted with `--allow-write` or fleet `allow_write`; skipped when the sha256 matches. */
    get(
      src: string,
      dest: string,
      options?: OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a directory exists (or not) with mode and owner. */
    directory(
      path: string,
      options?: FileAttributes & { present?: boolean; recursive?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a file exists (or not) with mode and owner; `touch` updates its time. */
    file(
      path: string,
      options?: FileAttributes & { present?: boolean; touch?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a symbolic link `path` → `target`. */
    link(
      path: string,
      target: string,
      options?: { present?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /**
     * Ensures `line` is (or is not) a line of the file. With `match` (a regular
     * expression), lines matching it are replaced by `line`.
     */
    line(
      path: string,
      line: string,
      options?:
        & { present?: boolean; match?: string | RegExp; create?: boolean }
        & FileAttributes
        & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a block of lines between markers is (or is not) in the file. */
    block(
      path: string,
      content: string,
      options?: { marker?: string; present?: boolean; create?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Makes `dest` hold the files of the local directory `src` (rsync when possible). */
    sync(
      src: string,
      dest: string,
      options?: { delete?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /**
     * Renders a local Jinja2 template (Jinja2's syntax and Python semantics,
     * Ansible's filters and tests, Ansible's settings unless `jinja` says
     * otherwise) with `data` (the template variables), the host
     * (`host.name`, `host.data`, `host.groups`, and host data keys as
     * variables) and the fleet `config`, then writes it like `put`:
     * `files.template("app.conf.j2", "/etc/app.conf", { data: { port: 8 }, mode: "600" })`.
     */
    template(
      src: string,
      dest: string,
      options?:
        & FileAttributes
        & {
          data?: Record<string, unknown>;
          createRemoteDir?: boolean;
          jinja?: JinjaSettings;
          /**
           * The deploy's own filters (`{{ name | shout }}`), run in the deploy's
           * sandbox: `(value, ...args, kwargs?) => result`, pure (each distinct
           * call is made once per render), sync or async.
           */
          // deno-lint-ignore no-explicit-any
          filters?: Record<string, (value: any, ...args: any[]) => unknown>;
          /** The deploy's own tests (`{% if port is privileged %}`), like `filters`. */
          // deno-lint-ignore no-explicit-any
          tests?: Record<string, (value: any, ...args: any[]) => unknown>;
        }
        & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Replaces every match of a regular expression in a remote text file. */
    replace(
      path: string,
      match: string | RegExp,
      replacement: string,
      options?: FileAttributes & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /**
     * Copies the host's file `src` to `dest` on the host (through a temporary
     * file renamed into place); skipped when the sha256 matches. The copy
     * gets `mode`, else the mode of the file it replaces, else the source's.
     */
    copy(
      src: string,
      dest: string,
      options?: FileAttributes & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /**
     * The host fetches `url` (curl, else wget, reading it on stdin) into a
     * temporary file beside `dest`, checks `sha256` when given, then renames
     * it into place; skipped when `dest` has that sha256 (or, with none
     * given, exists). A URL with credentials: `ctx.secret(url)`, shown `***`.
     */
    download(
      url: string | SecretValue,
      dest: string,
      options?: FileAttributes & { sha256?: string } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Renames `src` to `dest` on the host (`mv`); no change when `src` is gone and `dest` is there. */
    move(
      src: string,
      dest: string,
      options?: OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** Cron. */
  cron: {
    /**
     * One crontab line below a `# skiff: NAME` marker in `user`'s crontab
     * (the connecting user's by default). Unset schedule fields are `*`;
     * `env` becomes `KEY='value'` before the command. Written with
     * `crontab -`, or as cron's spool file where the host has no `crontab`.
     */
    entry(
      name: string,
      options: {
        command?: string;
        minute?: string | number;
        hour?: string | number;
        dayOfMonth?: string | number;
        month?: string | number;
        dayOfWeek?: string | number;
        user?: string;
        present?: boolean;
        env?: Record<string, string>;
      } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** Debian and Ubuntu packages. */
  apt: {
    /** Installs (or removes, or upgrades) packages; only what is missing, in one apt-get call. */
    packages(
      options: AptPackagesOptions & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** `apt-get update`; with `cacheTime` only when the lists are older than that many seconds. */
    update(
      options?: { cacheTime?: number } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Installs a signing key (a local file `src` or `content`, armored or binary) at `dest`. */
    key(
      options: { src?: string; content?: string | Uint8Array; dest: string } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Writes a deb822 `/etc/apt/sources.list.d/NAME.sources` entry (signed-by style). */
    repo(options: AptRepoOptions & OpControl, control?: OpControl): Promise<OperationResult>;
    /**
     * Installs the .deb file at `src` on the host (`apt-get install`, with its
     * dependencies) unless that version is installed; another installed
     * version is upgraded or downgraded to it.
     */
    deb(src: string, options?: OpControl, control?: OpControl): Promise<OperationResult>;
    /**
     * `apt-get upgrade` (`dist-upgrade` with `dist`) when its simulation says
     * something would change; the lists are not refreshed (run `apt.update`).
     */
    upgrade(
      options?: { dist?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** Fedora, RHEL and derivatives. */
  dnf: {
    /** Installs (or removes, or upgrades) packages with dnf. */
    packages(options: PackagesOptions & OpControl, control?: OpControl): Promise<OperationResult>;
  };
  /** Alpine. */
  apk: {
    /** Installs (or removes, or upgrades) packages with apk. */
    packages(options: PackagesOptions & OpControl, control?: OpControl): Promise<OperationResult>;
  };
  /** Packages with whichever manager the host has. */
  packages: {
    /** Picks apt, dnf or apk from the host's OS (or the tools present) and installs. */
    install(options: PackagesOptions & OpControl, control?: OpControl): Promise<OperationResult>;
  };
  /** Services. */
  systemd: {
    /**
     * Starts/stops, enables/disables, restarts or reloads a service. Without
     * systemd as PID 1 it uses the init script and `systemctl --root=/` or
     * `update-rc.d`.
     */
    service(options: ServiceOptions & OpControl, control?: OpControl): Promise<OperationResult>;
    /** Writes a unit file to /etc/systemd/system (like `files.put`) and reloads systemd. */
    unit(
      name: string,
      content: string,
      options?: { path?: string } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** git. */
  git: {
    /** Clones `src` into `dest` or brings it to `branch` (a branch or tag); changed when HEAD moved. */
    repo(options: GitRepoOptions & OpControl, control?: OpControl): Promise<OperationResult>;
  };
}
