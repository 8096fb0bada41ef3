/**
 * The operations and facts a deploy calls through `ctx.ops` and `ctx.facts`.
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
  PacmanOperations,
  ZypperOperations,
} from "./ops_packages.ts";
import type {
  CronOperations,
  GitOperations,
  OpenrcOperations,
  SystemdOperations,
  SysvinitOperations,
} from "./ops_services.ts";
import type { DockerOperations } from "./ops_containers.ts";
import type {
  MysqlOperations,
  NpmOperations,
  PipOperations,
  PostgresOperations,
} from "./ops_apps.ts";
import type {
  AddressFact,
  ContainerFact,
  CronEntryFact,
  FileStat,
  MemoryFact,
  MountFact,
  PostgresDatabaseFact,
  PostgresRoleFact,
  ServiceFact,
  UserFact,
} from "./facts.ts";

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
  /** Arch Linux. */
  pacman: PacmanOperations;
  /** openSUSE and SLES. */
  zypper: ZypperOperations;
  /** Services. */
  systemd: SystemdOperations;
  /** git. */
  git: GitOperations;
  /** Cron. */
  cron: CronOperations;
  /** Services under sysvinit (/etc/init.d scripts). */
  sysvinit: SysvinitOperations;
  /** Services under OpenRC. */
  openrc: OpenrcOperations;
  /** Containers, through the docker or podman CLI (host data `container_cli`; default docker, else podman). */
  docker: DockerOperations;
  /** Python packages. */
  pip: PipOperations;
  /** Node.js packages. */
  npm: NpmOperations;
  /** PostgreSQL, through `psql` on the host (SQL on its stdin). */
  postgres: PostgresOperations;
  /** MySQL and MariaDB, through the `mysql` client on the host. */
  mysql: MysqlOperations;
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
    /** The filesystems mounted now, by mount point (`/proc/self/mounts`; the last mounted on a point wins). */
    mounts(): Promise<Record<string, MountFact>>;
    /** Memory and swap in bytes, from /proc/meminfo. */
    memory(): Promise<MemoryFact>;
    /** The number of processors online. */
    cpus(): Promise<number>;
  };
  network: {
    /** Each interface's IPv4 and IPv6 addresses (`ip -o addr show`). */
    addresses(): Promise<Record<string, AddressFact[]>>;
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
    /** Installed Arch packages, name → version. */
    pacman(): Promise<Record<string, string>>;
    /** The named packages pacman can upgrade, name → new version. */
    pacmanUpgrades(names: string[]): Promise<Record<string, string>>;
    /** Packages zypper can update, name → new version. */
    zypperUpdates(): Promise<Record<string, string>>;
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
  docker: {
    /** Every container, running or not, by name (`cli`: `docker`, `podman` or a path; default docker, else podman). */
    containers(cli?: string): Promise<Record<string, ContainerFact>>;
  };
  pip: {
    /** Installed Python distributions by normalised name, name → version, in `venv` (else the host's python3). */
    packages(venv?: string): Promise<Record<string, string>>;
  };
  npm: {
    /** Installed top-level npm packages, name → version, in `dir` (else the global ones). */
    packages(dir?: string): Promise<Record<string, string>>;
  };
  postgres: {
    /** Every PostgreSQL role but `pg_*`, by name (through `psql` as `_env`/`_sudo_user` say). */
    roles(): Promise<Record<string, PostgresRoleFact>>;
    /** Every PostgreSQL database but the templates, by name. */
    databases(): Promise<Record<string, PostgresDatabaseFact>>;
  };
}
