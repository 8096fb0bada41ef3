/**
 * The `apt.*`, `dnf.*`, `apk.*`, `packages.*`, `pacman.*`, `zypper.*` operations of the deploy API.
 * Written by `deno task gen` from the operations' definitions
 * (lib/operations/defs/) and the facts' signatures: edit those, not this file.
 *
 * ```ts
 * import type { AptOperations } from "./ops_packages.ts";
 * const names: (keyof AptOperations)[] = ["packages"];
 * names.length; // 1
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";

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

/** Debian and Ubuntu packages. */
export interface AptOperations {
  /**
   * Installs only what `dpkg-query` says is missing, in one apt-get call.
   * @param packages Package names (`name` or, for apt, `name=version`).
   *
   * Example: `ops.apt.packages(["nginx"], { update: true, cacheTime: 3600 })`
   */
  packages(
    packages: string | string[],
    options?: AptPackagesOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `apt-get update`, skipped while the lists are younger than `cacheTime` s.
   *
   * Example: `ops.apt.update({ cacheTime: 3600 })`
   */
  update(
    options?: {
      /** Refresh only when the lists are older than this many seconds. */
      cacheTime?: number;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * A keyring file for `Signed-By` (a local file `src` or `content`, armored `.asc` or binary) at `dest`.
   * @param dest The keyring path on the host.
   *
   * Example: `ops.apt.key("/etc/apt/keyrings/example.asc", { src: "example.asc" })`
   */
  key(
    dest: string,
    options?: {
      /** A local key file. */
      src?: string;
      /** The key itself. */
      content?: string | Uint8Array;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * A deb822 `/etc/apt/sources.list.d/NAME.sources` entry, then `apt-get update`.
   * @param name File name under /etc/apt/sources.list.d, without `.sources`.
   *
   * Example: `ops.apt.repo("example", { uris: "https://deb.example.com", suites: "bookworm", components: "main" })`
   */
  repo(
    name: string,
    options: AptRepoOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Installs a .deb file on the host with `apt-get install` unless that version is installed (up or down).
   * @param src The .deb file's path on the host.
   *
   * Example: `ops.apt.deb("/tmp/tool_1.0_amd64.deb")`
   */
  deb(
    src: string,
    options?: OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `apt-get upgrade` / `dist-upgrade` when its simulation names packages; those are the change.
   *
   * The lists are not refreshed: run `apt.update` first.
   *
   * Example: `ops.apt.upgrade({ dist: true })`
   */
  upgrade(
    options?: {
      /** `apt-get dist-upgrade` instead. Default false. */
      dist?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** Fedora, RHEL and derivatives. */
export interface DnfOperations {
  /**
   * Like `apt.packages`, for rpm (dnf) hosts.
   * @param packages Package names (`name` or, for apt, `name=version`).
   *
   * Example: `ops.dnf.packages(["nginx"])`
   */
  packages(
    packages: string | string[],
    options?: PackagesOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** Alpine. */
export interface ApkOperations {
  /**
   * Like `apt.packages`, for Alpine (apk) hosts.
   * @param packages Package names (`name` or, for apt, `name=version`).
   *
   * Example: `ops.apk.packages(["nginx"])`
   */
  packages(
    packages: string | string[],
    options?: PackagesOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** Packages with whichever manager the host has. */
export interface PackagesOperations {
  /**
   * Installs with apt, dnf or apk, chosen from os-release (or the tools present).
   * @param packages Package names (`name` or, for apt, `name=version`).
   *
   * Example: `ops.packages.install(["curl"])`
   */
  install(
    packages: string | string[],
    options?: PackagesOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** Arch Linux. */
export interface PacmanOperations {
  /**
   * Like `apt.packages`, for Arch (pacman) hosts.
   * @param packages Package names (`name` or, for apt, `name=version`).
   *
   * Example: `ops.pacman.packages(["nginx"])`
   */
  packages(
    packages: string | string[],
    options?: PackagesOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** openSUSE and SLES. */
export interface ZypperOperations {
  /**
   * Like `apt.packages`, for openSUSE and SLES (zypper) hosts.
   * @param packages Package names (`name` or, for apt, `name=version`).
   *
   * Example: `ops.zypper.packages(["nginx"])`
   */
  packages(
    packages: string | string[],
    options?: PackagesOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}
