/**
 * The application tooling operations (containers, pip, npm, PostgreSQL,
 * MySQL), declared
 * beside the tables in `registry.ts` and `more_operations.ts` and merged
 * into `OPERATIONS`. Each operation's pieces (checks, run, prediction,
 * what it may change) live in its own file.
 *
 * @module
 */

import type { OperationSpec } from "./operation_spec.ts";
import { keys } from "./effects.ts";
import { CONTAINER, container } from "./docker_ops.ts";
import { image, network, volume } from "./docker_objects.ts";
import { imageKey } from "./docker_ops.ts";
import { NPM_PACKAGES, packages as npmPackages } from "./npm_ops.ts";
import * as mysql from "./mysql_ops.ts";
import { DATABASE, database, ROLE, role } from "./postgres_ops.ts";
import { packages as pipPackages, PIP_PACKAGES, VENV, venv } from "./pip_ops.ts";

/** The application tooling operations by dotted name. */
export const APP_OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  "docker.container": {
    positional: 1,
    options: [
      "image",
      "command",
      "ports",
      "env",
      "volumes",
      "network",
      "restart",
      "present",
      "running",
    ],
    mayChange: CONTAINER,
    run: container,
  },
  "docker.image": {
    positional: 1,
    options: ["present"],
    mayChange: keys((call) => [imageKey(String(call.positional[0]))]),
    run: image,
  },
  "docker.network": {
    positional: 1,
    options: ["present", "driver", "subnet", "internal"],
    mayChange: keys((call) => [`docker:network:${call.positional[0]}`]),
    run: network,
  },
  "docker.volume": {
    positional: 1,
    options: ["present"],
    mayChange: keys((call) => [`docker:volume:${call.positional[0]}`]),
    run: volume,
  },
  "pip.venv": {
    positional: 1,
    options: ["python"],
    mayChange: VENV,
    run: venv,
  },
  "pip.packages": {
    positional: 0,
    options: ["packages", "venv", "requirements", "present", "latest", "findLinks"],
    subject: "packages",
    mayChange: PIP_PACKAGES,
    run: pipPackages,
  },
  "npm.packages": {
    positional: 0,
    options: ["packages", "dir", "global", "present", "latest"],
    subject: "packages",
    mayChange: NPM_PACKAGES,
    run: npmPackages,
  },
  "postgres.role": {
    positional: 1,
    options: ["password", "login", "superuser", "createdb", "present"],
    mayChange: ROLE,
    run: role,
  },
  "postgres.database": {
    positional: 1,
    options: ["owner", "encoding", "present"],
    mayChange: DATABASE,
    run: database,
  },
  "mysql.user": {
    positional: 1,
    options: ["password", "host", "privileges", "present"],
    mayChange: mysql.MYSQL_USER,
    run: mysql.user,
  },
  "mysql.database": {
    positional: 1,
    options: ["present"],
    mayChange: mysql.MYSQL_DATABASE,
    run: mysql.database,
  },
};
