/**
 * The option objects of the package, service, user and git operations.
 *
 * ```ts
 * import type { AptPackagesOptions } from "./options.ts";
 * const nginx: AptPackagesOptions = { packages: ["nginx"], update: true, cacheTime: 3600 };
 * nginx.packages; // ["nginx"]
 * ```
 *
 * @module
 */

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

/** Options of `server.mount`. */
export interface MountOptions {
  /** What to mount (`/dev/sdb1`, `UUID=…`, `tmpfs`); required unless `present: false`. */
  device?: string;
  /** The filesystem type (`ext4`, `tmpfs`, `none` with `bind`); required unless `present: false`. */
  fstype?: string;
  /** Mount options, `"a,b"` or a list (default `defaults`). */
  options?: string | string[];
  /** Mounted (default) or not. */
  present?: boolean;
  /** Keep the path's fstab line in step too (default true). */
  persist?: boolean;
  /** The fstab file (default /etc/fstab). */
  fstab?: string;
}
