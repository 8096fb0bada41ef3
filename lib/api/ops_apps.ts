/**
 * The `pip.*`, `npm.*`, `postgres.*`, `mysql.*` operations of the deploy API.
 * Written by `deno task gen` from the operations' definitions
 * (lib/operations/defs/) and the facts' signatures: edit those, not this file.
 *
 * ```ts
 * import type { PipOperations } from "./ops_apps.ts";
 * const names: (keyof PipOperations)[] = ["venv"];
 * names.length; // 1
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";
import type { SecretValue } from "./values.ts";

/** Options of `pip.packages`. */
export interface PipPackagesOptions {
  /** The virtual environment (its directory) to install into; the host's `python3` when absent. */
  venv?: string;
  /** A requirements file on the host, installed with `pip install -r`. */
  requirements?: string;
  /** There (true) or removed. Default true. */
  present?: boolean;
  /** Upgrade the named packages that are outdated. Default false. */
  latest?: boolean;
  /** A directory or URL of distributions, used instead of the package index (`--no-index --find-links`). */
  findLinks?: string;
}

/** Options of `npm.packages`. */
export interface NpmPackagesOptions {
  /** The project directory (its `node_modules`); required unless `global`. */
  dir?: string;
  /** Installed globally (`npm install --global`). Default false. */
  global?: boolean;
  /** There (true) or removed. Default true. */
  present?: boolean;
  /** Upgrade the named packages that are outdated. Default false. */
  latest?: boolean;
}

/** Options of `postgres.role`. */
export interface PostgresRoleOptions {
  /** Its password (a secret). */
  password?: string | SecretValue;
  /** It may log in (true when it is created). */
  login?: boolean;
  /** Superuser (false when it is created). */
  superuser?: boolean;
  /** It may create databases (false when it is created). */
  createdb?: boolean;
  /** There (true) or removed. Default true. */
  present?: boolean;
}

/** Python packages. */
export interface PipOperations {
  /**
   * `python3 -m venv` when `PATH/bin/python` is missing.
   * @param path The virtual environment's directory.
   *
   * Example: `ops.pip.venv("/srv/app/venv")`
   */
  venv(
    path: string,
    options?: {
      /** The Python that makes it. Default "python3". */
      python?: string;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Installs only what `pip list` says is missing or at another pinned version; `-r FILE` when pip's dry run would install anything.
   *
   * For a requirements file alone, pass no packages: `pip.packages([], { requirements })`.
   * @param packages Distribution names, `name` or `name==version` (`[]` with `requirements`).
   *
   * Example: `ops.pip.packages(["flask==3.0.3"], { venv: "/srv/app/venv" })`
   */
  packages(
    packages: string | string[],
    options?: PipPackagesOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** Node.js packages. */
export interface NpmOperations {
  /**
   * Installs only what `npm ls` says is missing or at another exact version (`--prefix DIR` or `--global`).
   * @param packages Package specs: `name`, `name@1.2.3`, `@scope/name`, `name@file:/path/pkg.tgz`.
   *
   * Example: `ops.npm.packages(["left-pad@1.3.0"], { dir: "/srv/app" })`
   */
  packages(
    packages: string | string[],
    options?: NpmPackagesOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** PostgreSQL, through `psql` on the host (SQL on its stdin). */
export interface PostgresOperations {
  /**
   * `CREATE`/`ALTER`/`DROP ROLE` through `psql` on stdin; the password is compared with the stored SCRAM verifier and sent only as one.
   *
   * `psql` runs on the host and connects as `_env` says (`PGHOST`, `PGPORT`, `PGUSER`) or as `_sudo_user`. Attributes not given are left as they are; a new role may log in and is neither superuser nor createdb.
   * @param name The role's name.
   *
   * Example: `ops.postgres.role("app", { password: secret(pw), _sudo_user: "postgres" })`
   */
  role(
    name: string,
    options?: PostgresRoleOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `CREATE DATABASE` (template0 with an encoding), a new owner, or `DROP DATABASE`.
   * @param name The database's name.
   *
   * Example: `ops.postgres.database("app", { owner: "app", _sudo_user: "postgres" })`
   */
  database(
    name: string,
    options?: {
      /** Its owner. */
      owner?: string;
      /** Its encoding (given at creation only), `UTF8`. */
      encoding?: string;
      /** There (true) or removed. Default true. */
      present?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}

/** MySQL and MariaDB, through the `mysql` client on the host. */
export interface MysqlOperations {
  /**
   * An account `'name'@'host'` with its password and exactly its database privileges, created or dropped, through `mysql` on stdin.
   *
   * The password is compared with and set as its `mysql_native_password` hash, computed on the controller; the client connects as the user it runs as or as its option files say.
   * @param name The account's user name.
   *
   * Example: `ops.mysql.user("app", { password: secret(pw), privileges: { appdb: "ALL" } })`
   */
  user(
    name: string,
    options?: {
      /** Its password (a secret). */
      password?: string | SecretValue;
      /** The account's host part. Default "localhost". */
      host?: string;
      /** Exactly these database-level privileges: `{ appdb: ["SELECT", "INSERT"], logs: "ALL" }`; others are revoked. */
      privileges?: Record<string, string[] | string>;
      /** There (true) or removed. Default true. */
      present?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * A MySQL/MariaDB database created, or dropped, through `mysql` on stdin.
   * @param name The database's name.
   *
   * Example: `ops.mysql.database("appdb")`
   */
  database(
    name: string,
    options?: {
      /** There (true) or removed. Default true. */
      present?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}
