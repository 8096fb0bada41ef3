/**
 * The operations and facts a deploy calls through `ctx.ops` and `ctx.facts`, and the options of its operations.
 * Written by `deno task gen` from the operations' definitions
 * (lib/operations/defs/) and the facts' signatures: edit those, not this file.
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

import type { ServerOperations } from "./ops_server.ts";
import type { FilesOperations } from "./ops_files.ts";
import type {
  ApkOperations,
  AptOperations,
  DnfOperations,
  PackagesOperations,
} from "./ops_packages.ts";
import type { CronOperations, GitOperations, SystemdOperations } from "./ops_services.ts";
import type { CronEntryFact, FileStat, ServiceFact, UserFact } from "./facts.ts";

/** Ownership and mode shared by file operations. */
export interface FileAttributes {
  /** Octal mode such as `"644"`. */
  mode?: string;
  /** Owner user name. */
  user?: string;
  /** Owner group name. */
  group?: string;
}

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

/** Options of `apt.packages`. */
export interface AptPackagesOptions {
  /** Installed or removed. Default true. */
  present?: boolean;
  /** Upgrade to the newest available version. Default false. */
  latest?: boolean;
  /** Refresh the package index first (not itself reported as a change). Default false. */
  update?: boolean;
  /** Refresh only when the lists are older than this many seconds. */
  cacheTime?: number;
  /** `--no-install-recommends`. Default false. */
  noRecommends?: boolean;
}

/** Options of `apt.repo`. */
export interface AptRepoOptions {
  /** Repository URIs. */
  uris: string | string[];
  /** Suites such as `bookworm`. */
  suites: string | string[];
  /** Components such as `main`. */
  components?: string | string[];
  /** Path of the keyring that signs it (see `apt.key`). */
  signedBy?: string;
  /** `deb` and/or `deb-src`. Default "deb". */
  types?: string | string[];
  /** Architectures such as `amd64`. */
  architectures?: string | string[];
  /** Present or removed. Default true. */
  present?: boolean;
  /** Run `apt-get update` when the entry changed. Default true. */
  update?: boolean;
}

/** Options of `dnf.packages`. */
export interface PackagesOptions {
  /** Installed or removed. Default true. */
  present?: boolean;
  /** Upgrade to the newest available version. Default false. */
  latest?: boolean;
  /** Refresh the package index first (not itself reported as a change). Default false. */
  update?: boolean;
}

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

/** The operations a deploy calls: subject first, then one options object in which control arguments (`_sudo`, …) may sit. */
export interface Operations {
  /** Server-level operations. */
  server: ServerOperations;
  /** File operations. */
  files: FilesOperations;
  /** Debian and Ubuntu packages. */
  apt: AptOperations;
  /** Fedora, RHEL and derivatives. */
  dnf: DnfOperations;
  /** Alpine. */
  apk: ApkOperations;
  /** Packages with whichever manager the host has. */
  packages: PackagesOperations;
  /** Services. */
  systemd: SystemdOperations;
  /** git. */
  git: GitOperations;
  /** Cron. */
  cron: CronOperations;
}

/** Facts about a host, cached for the run. */
export interface Facts {
  server: {
    /** The host name (`uname -n`). */
    hostname(): Promise<string>;
    /** `/etc/os-release` as `{id, version, name, idLike}`. */
    os(): Promise<{ id: string; version: string; name: string; idLike: string[] }>;
    /** The machine architecture (`uname -m`). */
    arch(): Promise<string>;
    /** The kernel release (`uname -r`). */
    kernel(): Promise<string>;
    /** User accounts by name. */
    users(): Promise<Record<string, UserFact>>;
    /** Groups by name with gid and members. */
    groups(): Promise<Record<string, { gid: number; members: string[] }>>;
    /** The path of a command, or null. */
    which(command: string): Promise<string | null>;
    /** The output of a command of your own. */
    command(command: string): Promise<string>;
  };
  files: {
    /** Type, mode, owner, size and time of a path; null when missing. */
    stat(path: string): Promise<FileStat | null>;
    /** The sha256 of a file; null when missing. */
    sha256(path: string): Promise<string | null>;
  };
  packages: {
    /** Installed Debian packages, name → version. */
    deb(): Promise<Record<string, string>>;
    /** Installed RPM packages, name → version. */
    rpm(): Promise<Record<string, string>>;
    /** Installed Alpine packages, name → version. */
    apk(): Promise<Record<string, string>>;
    /** The host's package manager. */
    manager(): Promise<"apt-get" | "dnf" | "yum" | "apk" | null>;
    /** Seconds since apt's lists were updated; null when never. */
    aptListsAge(): Promise<number | null>;
    /** Installed and candidate versions (`apt-cache policy`). */
    aptPolicy(
      names: string[],
    ): Promise<Record<string, { installed: string | null; candidate: string | null }>>;
    /** Which of the named packages dnf can upgrade. */
    dnfUpgrades(names: string[]): Promise<string[]>;
    /** Installed Alpine packages with a newer version. */
    apkOutdated(): Promise<string[]>;
  };
  systemd: {
    /** Whether systemd is the running init. */
    running(): Promise<boolean>;
    /** A service's state, under systemd or an init script. */
    service(name: string): Promise<ServiceFact>;
  };
  cron: {
    /** The entries `cron.entry` manages in a crontab (the connecting user's by default), by name. */
    entries(user?: string): Promise<Record<string, CronEntryFact>>;
  };
}
