/**
 * The values facts return (the `Facts` a deploy reads through `ctx.facts`
 * are in `operations.ts`, written from the facts' signatures).
 *
 * ```ts
 * import type { FileStat } from "./facts.ts";
 * const stat: FileStat = { type: "file", mode: "644", user: "root", group: "root", size: 1, mtime: 0 };
 * stat.type; // "file"
 * ```
 *
 * @module
 */

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

/** What `facts.postgres.roles` returns for each role. */
export interface PostgresRoleFact {
  login: boolean;
  superuser: boolean;
  createdb: boolean;
}

/** What `facts.postgres.databases` returns for each database. */
export interface PostgresDatabaseFact {
  owner: string;
  encoding: string;
}

/** What `facts.docker.containers` returns for each container. */
export interface ContainerFact {
  /** The image as the container was created with it. */
  image: string;
  /** It is running. */
  running: boolean;
}
