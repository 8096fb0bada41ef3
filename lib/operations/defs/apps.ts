/**
 * The definitions of the application tooling operations: containers
 * (`docker.*`, the docker or podman CLI), Python and Node.js packages
 * (`pip.*`, `npm.packages`) and databases (`postgres.*`, `mysql.*`).
 *
 * @module
 */

import { defineOp, type OpDefinition, type OptionSpec } from "../define_op.ts";
import { keys } from "../effects.ts";
import {
  BOOLEAN,
  opaque,
  record,
  SECRET_STRING,
  STRING,
  STRING_OR_STRINGS,
  STRINGS,
} from "../op_schema.ts";
import { CONTAINER, container, imageKey } from "../docker_ops.ts";
import { image, network, volume } from "../docker_objects.ts";
import { NPM_PACKAGES, packages as npmPackages } from "../npm_ops.ts";
import * as mysql from "../mysql_ops.ts";
import { DATABASE, database, ROLE, role } from "../postgres_ops.ts";
import { packages as pipPackages, PIP_PACKAGES, VENV, venv } from "../pip_ops.ts";

const PRESENT: OptionSpec = { schema: BOOLEAN, doc: "There (true) or removed.", default: true };
const NAME = (doc: string) => ({ name: "name", schema: STRING, doc });
const LATEST: OptionSpec = {
  schema: BOOLEAN,
  doc: "Upgrade the named packages that are outdated.",
  default: false,
};

/** The `docker.*` operations. */
export const CONTAINER_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "docker.container",
    description:
      "created, recreated when the settings in its `skiff.spec` label or its image id differ, started/stopped; env through a mode-600 `--env-file`",
    details:
      "The host data key `container_cli` names the CLI (`docker`, `podman` or a path); without it `docker`, else `podman`.",
    params: [NAME("The container's name.")],
    options: {
      image: { schema: STRING, doc: "The image it runs (required unless `present: false`)." },
      command: {
        schema: STRING_OR_STRINGS,
        doc:
          "The command and its arguments (a string is split at blanks); the image's when absent.",
      },
      ports: {
        schema: STRINGS,
        doc: 'Published ports as `docker run -p` takes them: `"8080:80"`, `"127.0.0.1:53:53/udp"`.',
      },
      env: {
        schema: record(SECRET_STRING),
        doc:
          "Environment variables; values may be secrets (they reach the CLI in a file of mode 600, never in argv).",
      },
      volumes: {
        schema: STRINGS,
        doc:
          'Volumes as `docker run -v` takes them: `"data:/var/lib/app"`, `"/srv/conf:/etc/app:ro"`.',
      },
      network: {
        schema: STRING,
        doc: "The network it joins (`none`, `host` or a network's name).",
      },
      restart: {
        schema: STRING,
        doc:
          "The restart policy: `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N`.",
      },
      present: PRESENT,
      running: { schema: BOOLEAN, doc: "Running (true) or stopped.", default: true },
    },
    optionsType: "ContainerOptions",
    example: 'ops.docker.container("cache", { image: "redis:7", ports: ["6379:6379"] })',
    mayChange: CONTAINER,
    run: container,
  }),
  defineOp({
    name: "docker.image",
    description: "pulls a missing image or removes it",
    params: [{ name: "ref", schema: STRING, doc: "The image reference, `redis:7`." }],
    options: { present: PRESENT },
    example: 'ops.docker.image("redis:7")',
    mayChange: keys((call) => [imageKey(String(call.positional[0]))]),
    run: image,
  }),
  defineOp({
    name: "docker.network",
    description: "creates a missing network (the options apply at creation) or removes it",
    params: [NAME("The network's name.")],
    options: {
      present: PRESENT,
      driver: { schema: STRING, doc: "Its driver (`bridge`, …)." },
      subnet: { schema: STRING, doc: "Its subnet, `10.5.0.0/24`." },
      internal: { schema: BOOLEAN, doc: "No route outside (`--internal`)." },
    },
    example: 'ops.docker.network("front", { subnet: "10.5.0.0/24" })',
    mayChange: keys((call) => [`docker:network:${call.positional[0]}`]),
    run: network,
  }),
  defineOp({
    name: "docker.volume",
    description: "creates or removes a named volume",
    params: [NAME("The volume's name.")],
    options: { present: PRESENT },
    example: 'ops.docker.volume("data")',
    mayChange: keys((call) => [`docker:volume:${call.positional[0]}`]),
    run: volume,
  }),
];

/** The `pip.*`, `npm.*`, `postgres.*` and `mysql.*` operations. */
export const APP_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "pip.venv",
    description: "`python3 -m venv` when `PATH/bin/python` is missing",
    params: [{ name: "path", schema: STRING, doc: "The virtual environment's directory." }],
    options: { python: { schema: STRING, doc: "The Python that makes it.", default: "python3" } },
    example: 'ops.pip.venv("/srv/app/venv")',
    mayChange: VENV,
    run: venv,
  }),
  defineOp({
    name: "pip.packages",
    description:
      "installs only what `pip list` says is missing or at another pinned version; `-r FILE` when pip's dry run would install anything",
    details:
      "For a requirements file alone, pass no packages: `pip.packages([], { requirements })`.",
    params: [{
      name: "packages",
      schema: STRING_OR_STRINGS,
      doc: "Distribution names, `name` or `name==version` (`[]` with `requirements`).",
      into: "packages",
    }],
    options: {
      venv: {
        schema: STRING,
        doc:
          "The virtual environment (its directory) to install into; the host's `python3` when absent.",
      },
      requirements: {
        schema: STRING,
        doc: "A requirements file on the host, installed with `pip install -r`.",
      },
      present: PRESENT,
      latest: LATEST,
      findLinks: {
        schema: STRING,
        doc:
          "A directory or URL of distributions, used instead of the package index (`--no-index --find-links`).",
      },
    },
    optionsType: "PipPackagesOptions",
    example: 'ops.pip.packages(["flask==3.0.3"], { venv: "/srv/app/venv" })',
    subject: "packages",
    mayChange: PIP_PACKAGES,
    run: pipPackages,
  }),
  defineOp({
    name: "npm.packages",
    description:
      "installs only what `npm ls` says is missing or at another exact version (`--prefix DIR` or `--global`)",
    params: [{
      name: "packages",
      schema: STRING_OR_STRINGS,
      doc: "Package specs: `name`, `name@1.2.3`, `@scope/name`, `name@file:/path/pkg.tgz`.",
      into: "packages",
    }],
    options: {
      dir: {
        schema: STRING,
        doc: "The project directory (its `node_modules`); required unless `global`.",
      },
      global: {
        schema: BOOLEAN,
        doc: "Installed globally (`npm install --global`).",
        default: false,
      },
      present: PRESENT,
      latest: LATEST,
    },
    optionsType: "NpmPackagesOptions",
    example: 'ops.npm.packages(["left-pad@1.3.0"], { dir: "/srv/app" })',
    subject: "packages",
    mayChange: NPM_PACKAGES,
    run: npmPackages,
  }),
  defineOp({
    name: "postgres.role",
    description:
      "`CREATE`/`ALTER`/`DROP ROLE` through `psql` on stdin; the password is compared with the stored SCRAM verifier and sent only as one",
    details:
      "`psql` runs on the host and connects as `_env` says (`PGHOST`, `PGPORT`, `PGUSER`) or as `_sudo_user`. Attributes not given are left as they are; a new role may log in and is neither superuser nor createdb.",
    params: [NAME("The role's name.")],
    options: {
      password: { schema: SECRET_STRING, doc: "Its password (a secret)." },
      login: { schema: BOOLEAN, doc: "It may log in (true when it is created)." },
      superuser: { schema: BOOLEAN, doc: "Superuser (false when it is created)." },
      createdb: { schema: BOOLEAN, doc: "It may create databases (false when it is created)." },
      present: PRESENT,
    },
    optionsType: "PostgresRoleOptions",
    example: 'ops.postgres.role("app", { password: secret(pw), _sudo_user: "postgres" })',
    mayChange: ROLE,
    run: role,
  }),
  defineOp({
    name: "postgres.database",
    description: "`CREATE DATABASE` (template0 with an encoding), a new owner, or `DROP DATABASE`",
    params: [NAME("The database's name.")],
    options: {
      owner: { schema: STRING, doc: "Its owner." },
      encoding: { schema: STRING, doc: "Its encoding (given at creation only), `UTF8`." },
      present: PRESENT,
    },
    example: 'ops.postgres.database("app", { owner: "app", _sudo_user: "postgres" })',
    mayChange: DATABASE,
    run: database,
  }),
  defineOp({
    name: "mysql.user",
    description:
      "an account `'name'@'host'` with its password and exactly its database privileges, created or dropped, through `mysql` on stdin",
    details:
      "The password is compared with and set as its `mysql_native_password` hash, computed on the controller; the client connects as the user it runs as or as its option files say.",
    params: [NAME("The account's user name.")],
    options: {
      password: { schema: SECRET_STRING, doc: "Its password (a secret)." },
      host: { schema: STRING, doc: "The account's host part.", default: "localhost" },
      privileges: {
        // The run checks it, with an example in its error.
        schema: opaque("Record<string, string[] | string>"),
        doc:
          'Exactly these database-level privileges: `{ appdb: ["SELECT", "INSERT"], logs: "ALL" }`; others are revoked.',
      },
      present: PRESENT,
    },
    example: 'ops.mysql.user("app", { password: secret(pw), privileges: { appdb: "ALL" } })',
    mayChange: mysql.MYSQL_USER,
    run: mysql.user,
  }),
  defineOp({
    name: "mysql.database",
    description: "a MySQL/MariaDB database created, or dropped, through `mysql` on stdin",
    params: [NAME("The database's name.")],
    options: { present: PRESENT },
    example: 'ops.mysql.database("appdb")',
    mayChange: mysql.MYSQL_DATABASE,
    run: mysql.database,
  }),
];
