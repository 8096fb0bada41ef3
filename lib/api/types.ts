/**
 * The public shapes deploy modules see. A deploy needs no import to run;
 * `import type { DeployContext } from "skiff/mod.ts"` gives editor help.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import type { Command, Interpolation, SecretValue } from "../core/command.ts";

/** What every operation returns. */
export interface OperationResult {
  /** The operation changed something (or, in a dry run, would). */
  changed: boolean;
  /** Every command succeeded. */
  success: boolean;
  /** One line saying what changed or why nothing did. */
  description: string;
  /** The commands run, masked. */
  commands: string[];
  /** Standard output of the commands, joined. */
  stdout: string;
  /** Standard error of the commands, joined. */
  stderr: string;
  /** A unified diff of file content or mode/owner changes, when there is one. */
  diff?: string;
}

/** Control arguments accepted by an operation, as its last parameter. */
export type OpControl = Omit<ControlArguments, "_retry_until" | "_if"> & {
  /** Run the operation only when true (or when the function returns true). */
  _if?: boolean | (() => boolean | Promise<boolean>);
  /** Retry until this returns true for the result. */
  _retry_until?: (result: OperationResult) => boolean;
};

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

/** The operations a deploy calls. Subject first, then options, then control arguments. */
export interface Operations {
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
    /** Downloads `src` to a local path; skipped when the sha256 matches. */
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
     * Renders a local Jinja2-style template (nunjucks) with `data`, the host
     * (`host.name`, `host.data`, `host.groups`, and host data keys as
     * variables) and the fleet `config`, then writes it like `put`.
     */
    template(
      src: string,
      dest: string,
      data?: Record<string, unknown>,
      options?:
        & FileAttributes
        & { createRemoteDir?: boolean; trimBlocks?: boolean; lstripBlocks?: boolean }
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

/** Options of the package operations. */
export interface PackagesOptions {
  /** Package names (`name` or, for apt, `name=version`). */
  packages: string | string[];
  /** Installed (default) or removed. */
  present?: boolean;
  /** Upgrade to the newest available version. */
  latest?: boolean;
  /** Refresh the package index first (not itself reported as a change). */
  update?: boolean;
}

/** Options of `apt.packages`. */
export interface AptPackagesOptions extends PackagesOptions {
  /** With `update`: refresh only when the lists are older than this many seconds. */
  cacheTime?: number;
  /** `--no-install-recommends`. */
  noRecommends?: boolean;
}

/** Options of `apt.repo`. */
export interface AptRepoOptions {
  /** File name under /etc/apt/sources.list.d, without `.sources`. */
  name: string;
  /** Repository URIs. */
  uris: string | string[];
  /** Suites such as `bookworm`. */
  suites: string | string[];
  /** Components such as `main`. */
  components?: string | string[];
  /** Path of the keyring that signs it (see `apt.key`). */
  signedBy?: string;
  /** `deb` (default) and/or `deb-src`. */
  types?: string | string[];
  /** Architectures such as `amd64`. */
  architectures?: string | string[];
  /** Present (default) or removed. */
  present?: boolean;
  /** Run `apt-get update` when the entry changed (default true). */
  update?: boolean;
}

/** Options of `systemd.service`. */
export interface ServiceOptions {
  /** Unit or init-script name (`nginx` means `nginx.service`). */
  service: string;
  /** Started (true) or stopped (false). */
  running?: boolean;
  /** Started at boot (true) or not (false). */
  enabled?: boolean;
  /** Restart it (when `changed` is given, only when it is true). */
  restarted?: boolean;
  /** Reload it (when `changed` is given, only when it is true). */
  reloaded?: boolean;
  /** Run `systemctl daemon-reload` first (under systemd). */
  daemonReload?: boolean;
  /** Whether something it depends on changed; true restarts a running service. */
  changed?: boolean;
}

/** Options of `server.user`. */
export interface UserOptions {
  /** Login name. */
  name: string;
  /** Present (default) or removed. */
  present?: boolean;
  /** Home directory. */
  home?: string;
  /** Login shell. */
  shell?: string;
  /** Primary group (must exist). */
  group?: string;
  /** Supplementary groups, exactly. */
  groups?: string[];
  /** A system account. */
  system?: boolean;
  /** User id. */
  uid?: number;
  /** The exact lines of `~/.ssh/authorized_keys`. */
  publicKeys?: string[];
}

/** Options of `git.repo`. */
export interface GitRepoOptions {
  /** Repository URL or path. */
  src: string;
  /** Directory of the working copy. */
  dest: string;
  /** Branch or tag to check out (default: the remote's default branch). */
  branch?: string;
  /** Fetch and move to the newest commit of the branch (default true). */
  pull?: boolean;
  /** Run git as this user. */
  user?: string;
}

/** What `facts.systemd.service` returns. */
export interface ServiceFact {
  /** systemd is the running init. */
  systemd: boolean;
  /** Running; null when it cannot be told (no systemd and no init script). */
  active: boolean | null;
  /** Enabled at boot; null when unknown. */
  enabled: boolean | null;
  /** The raw enablement (`enabled`, `disabled`, `static`, `masked`, …). */
  enabledState: string | null;
  /** `systemctl` is installed. */
  systemctl: boolean;
  /** `/etc/init.d/NAME` exists. */
  initScript: boolean;
  /** The `service` command is installed. */
  serviceCommand: boolean;
  /** `update-rc.d` is installed. */
  updateRcD: boolean;
}

/** What `facts.files.stat` returns; null when the path does not exist. */
export interface FileStat {
  type: "file" | "directory" | "link" | "other";
  mode: string;
  user: string;
  group: string;
  size: number;
  mtime: number;
  linkTarget?: string;
}

/** A user account from `facts.server.users`. */
export interface UserFact {
  uid: number;
  gid: number;
  home: string;
  shell: string;
  groups: string[];
}

/** Facts about a host, cached for the run. */
export interface Facts {
  /** Server facts. */
  server: {
    hostname(): Promise<string>;
    os(): Promise<{ id: string; version: string; name: string; idLike: string[] }>;
    arch(): Promise<string>;
    kernel(): Promise<string>;
    users(): Promise<Record<string, UserFact>>;
    groups(): Promise<Record<string, { gid: number; members: string[] }>>;
    which(command: string): Promise<string | null>;
    command(command: string): Promise<string>;
  };
  /** File facts. */
  files: {
    stat(path: string): Promise<FileStat | null>;
    sha256(path: string): Promise<string | null>;
  };
  /** Package facts: installed packages by name with their versions. */
  packages: {
    deb(): Promise<Record<string, string>>;
    rpm(): Promise<Record<string, string>>;
    apk(): Promise<Record<string, string>>;
    manager(): Promise<"apt-get" | "dnf" | "yum" | "apk" | null>;
    aptListsAge(): Promise<number | null>;
  };
  /** Service facts. */
  systemd: {
    running(): Promise<boolean>;
    service(name: string): Promise<ServiceFact>;
  };
}

/** The host a deploy runs on. */
export interface DeployHost {
  /** Inventory name. */
  name: string;
  /** Merged host data; secrets are SecretValue. */
  data: Record<string, unknown>;
  /** Groups it belongs to. */
  groups: string[];
}

/** What a deploy's default export receives. */
export interface DeployContext {
  /** The host. */
  host: DeployHost;
  /** The fleet document's configuration (keys outside `fleet:`). */
  config: Record<string, unknown>;
  /** Operations. */
  ops: Operations;
  /** Facts. */
  facts: Facts;
  /** True in a dry run: operations report and change nothing. */
  dryRun: boolean;
  /** Writes a line to the run's output for this host. */
  log(message: string): void;
  /** Makes a value secret (masked in every output). */
  secret(value: string): SecretValue;
  /** The quoting tagged template for commands: ``sh`rm -f ${path}` ``. */
  sh(strings: TemplateStringsArray, ...values: Interpolation[]): Command;
}

/** The shape of a deploy module. */
export interface DeployModule {
  /** The deploy function. */
  default: (ctx: DeployContext) => Promise<void> | void;
  /** The deploy's name for fleet restrictions (default: the file stem). */
  name?: string;
  /** Control arguments applied to every operation of this deploy. */
  defaults?: OpControl;
}
