/**
 * The operations and facts of application tooling a deploy calls through
 * `ctx.ops` and `ctx.facts`: containers (the docker or podman CLI), Python
 * packages (pip, virtual environments) and npm packages.
 *
 * ```ts
 * import type { AppOperations } from "./app_operations.ts";
 * async function cache(ops: AppOperations): Promise<boolean> {
 *   const made = await ops.docker.container("cache", { image: "redis:7", ports: ["6379:6379"] });
 *   return made.changed;
 * }
 * typeof cache; // "function"
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";
import type { SecretValue } from "./values.ts";

/** The options of `docker.container`. */
export interface ContainerOptions {
  /** The image it runs (required unless `present: false`). */
  image?: string;
  /** The command and its arguments (a string is split at blanks); the image's when absent. */
  command?: string | string[];
  /** Published ports as `docker run -p` takes them: `"8080:80"`, `"127.0.0.1:53:53/udp"`. */
  ports?: string[];
  /** Environment variables; values may be secrets (they reach the CLI in a file of mode 600, never in argv). */
  env?: Record<string, string | SecretValue>;
  /** Volumes as `docker run -v` takes them: `"data:/var/lib/app"`, `"/srv/conf:/etc/app:ro"`. */
  volumes?: string[];
  /** The network it joins (`none`, `host` or a network's name). */
  network?: string;
  /** The restart policy: `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N`. */
  restart?: string;
  /** There (default) or removed. */
  present?: boolean;
  /** Running (default) or stopped. */
  running?: boolean;
}

/** The options of `pip.packages`. */
export interface PipPackagesOptions {
  /** Distribution names, `name` or `name==version`. */
  packages?: string | string[];
  /** The virtual environment (its directory) to install into; the host's `python3` when absent. */
  venv?: string;
  /** A requirements file on the host, installed with `pip install -r`. */
  requirements?: string;
  /** Installed (default) or removed. */
  present?: boolean;
  /** Upgrade the named packages that pip lists as outdated. */
  latest?: boolean;
  /** A directory or URL of distributions, used instead of the package index (`--no-index --find-links`). */
  findLinks?: string;
}

/** The options of `npm.packages`. */
export interface NpmPackagesOptions {
  /** Package specs: `name`, `name@1.2.3`, `@scope/name`, `name@file:/path/pkg.tgz`. */
  packages: string | string[];
  /** The project directory (its `node_modules`); required unless `global`. */
  dir?: string;
  /** Installed globally (`npm install --global`). */
  global?: boolean;
  /** Installed (default) or removed. */
  present?: boolean;
  /** Upgrade the named packages that `npm outdated` lists. */
  latest?: boolean;
}

/** The options of `postgres.role`. */
export interface PostgresRoleOptions {
  /** Its password (a secret): compared with the stored SCRAM verifier, sent only as a verifier, on psql's stdin. */
  password?: string | SecretValue;
  /** It may log in (default true when it is created). */
  login?: boolean;
  /** Superuser (default false when it is created). */
  superuser?: boolean;
  /** It may create databases (default false when it is created). */
  createdb?: boolean;
  /** There (default) or dropped. */
  present?: boolean;
}

/** Application tooling operations: containers, pip, npm and PostgreSQL. */
export interface AppOperations {
  /** Containers, through the docker or podman CLI (host data `container_cli`; default docker, else podman). */
  docker: {
    /**
     * A container with the image, command, ports, env, volumes, network and
     * restart policy asked for, running or stopped: created when missing,
     * recreated when any of those differ from what skiff made it with (a
     * `skiff.spec` label) or its image was updated, removed with `present: false`.
     */
    container(
      name: string,
      options: ContainerOptions & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** An image pulled (when missing) or removed. */
    image(
      ref: string,
      options?: { present?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** A network created or removed; `driver`, `subnet` and `internal` apply when it is created. */
    network(
      name: string,
      options?:
        & { present?: boolean; driver?: string; subnet?: string; internal?: boolean }
        & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** A named volume created or removed. */
    volume(
      name: string,
      options?: { present?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** Python packages. */
  pip: {
    /** A virtual environment at `path`, made with `python -m venv` (default `python3`) when missing. */
    venv(
      path: string,
      options?: { python?: string } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Installs (or removes, or upgrades) only the packages that differ, in one pip call. */
    packages(
      options: PipPackagesOptions & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** Node.js packages. */
  npm: {
    /** Installs (or removes, or upgrades) only the packages that differ, in one npm call. */
    packages(
      options: NpmPackagesOptions & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /**
   * PostgreSQL, through `psql` on the host: it connects as `_env` says
   * (`PGHOST`, `PGPORT`, `PGUSER`) or as `_sudo_user`; SQL goes on its stdin.
   */
  postgres: {
    /** A role with the attributes named (others are left as they are), its password, or dropped. */
    role(
      name: string,
      options?: PostgresRoleOptions & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** A database with its owner and encoding (given at creation only), or dropped. */
    database(
      name: string,
      options?: { owner?: string; encoding?: string; present?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** MySQL and MariaDB, through the `mysql` client on the host. */
  mysql: MysqlOperations;
}

/** MySQL and MariaDB operations. */
export interface MysqlOperations {
  /**
   * An account `'name'@'host'` (host `localhost` by default), its grants and its
   * password (a secret: compared with and set as its `mysql_native_password`
   * hash, on the client's stdin), or dropped. Through the `mysql` client on
   * the host, connecting as the user it runs as or as its option files say.
   */
  user(
    name: string,
    options?:
      & {
        password?: string | SecretValue;
        host?: string;
        /** Exactly these database-level privileges: `{ appdb: ["SELECT", "INSERT"], logs: "ALL" }`; others are revoked. */
        privileges?: Record<string, string[] | string>;
        present?: boolean;
      }
      & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /** A database created, or dropped. */
  database(
    name: string,
    options?: { present?: boolean } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
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

/** Application tooling facts. */
export interface AppFacts {
  /** Container facts. */
  docker: {
    /** Every container, running or not, by name (`cli`: `docker`, `podman` or a path; default docker, else podman). */
    containers(cli?: string): Promise<Record<string, ContainerFact>>;
  };
  /** Python package facts. */
  pip: {
    /** Installed distributions by normalised name with their versions, in `venv` (else the host's python3). */
    packages(venv?: string): Promise<Record<string, string>>;
  };
  /** PostgreSQL facts, through `psql` as `_env`/`_sudo_user` of the deploy's defaults say. */
  postgres: {
    /** Every role but `pg_*`, by name. */
    roles(): Promise<Record<string, PostgresRoleFact>>;
    /** Every database but the templates, by name. */
    databases(): Promise<Record<string, PostgresDatabaseFact>>;
  };
  /** Node.js package facts. */
  npm: {
    /** Installed top-level packages by name with their versions, in `dir` (else the global ones). */
    packages(dir?: string): Promise<Record<string, string>>;
  };
}
