/**
 * The facts a deploy reads through `ctx.facts`, cached for the run.
 *
 * ```ts
 * import type { Facts } from "./facts.ts";
 * async function isDebian(facts: Facts): Promise<boolean> {
 *   return (await facts.server.os()).id === "debian";
 * }
 * typeof isDebian; // "function"
 * ```
 *
 * @module
 */

import type { AppFacts } from "./app_operations.ts";

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
export interface Facts extends AppFacts {
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
    /** The filesystems mounted now, by mount point (the last mounted on a point wins). */
    mounts(): Promise<Record<string, MountFact>>;
    /** Memory and swap in bytes, from /proc/meminfo. */
    memory(): Promise<MemoryFact>;
    /** The number of processors online. */
    cpus(): Promise<number>;
  };
  /** Network facts. */
  network: {
    /** Each interface's IPv4 and IPv6 addresses, from `ip -o addr show`. */
    addresses(): Promise<Record<string, AddressFact[]>>;
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
    pacman(): Promise<Record<string, string>>;
    manager(): Promise<"apt-get" | "dnf" | "yum" | "apk" | null>;
    aptListsAge(): Promise<number | null>;
  };
  /** Service facts. */
  systemd: {
    running(): Promise<boolean>;
    service(name: string): Promise<ServiceFact>;
  };
  /** Cron facts. */
  cron: {
    /** The entries `cron.entry` manages in a user's crontab (the connecting user's by default), by name. */
    entries(user?: string): Promise<Record<string, CronEntryFact>>;
  };
}

/** What `facts.cron.entries` returns for each entry: its schedule fields and command line. */
export interface CronEntryFact {
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  /** The command as the crontab line holds it (with any `KEY='value'` prefix of `env`). */
  command: string;
}

/** A mounted filesystem from `facts.server.mounts`. */
export interface MountFact {
  /** What is mounted (`/dev/sda1`, `tmpfs`). */
  device: string;
  /** Its filesystem type. */
  fstype: string;
  /** Its mount options as the kernel shows them. */
  options: string[];
}

/** What `facts.server.memory` returns, in bytes. */
export interface MemoryFact {
  total: number;
  /** What can be had without swapping (MemAvailable; MemFree on kernels without it). */
  available: number;
  free: number;
  swapTotal: number;
  swapFree: number;
}

/** One address of an interface from `facts.network.addresses`. */
export interface AddressFact {
  family: "inet" | "inet6";
  address: string;
  /** The prefix length (`24` of `/24`). */
  prefix: number;
}
