/**
 * Every operation's definition, in the order `skiff ops`, the README table
 * and the deploy API list them. A new operation is one `defineOp` in its
 * family's file here, then `deno task gen`.
 *
 * ```ts
 * import { OPERATION_DEFINITIONS } from "./mod.ts";
 * OPERATION_DEFINITIONS.some((op) => op.name === "files.put"); // true
 * ```
 *
 * @module
 */

import type { OpDefinition } from "../define_op.ts";
import { FILES_OPS } from "./files.ts";
import { PACKAGE_OPS } from "./packages.ts";
import { SERVER_OPS } from "./server.ts";
import { SERVICE_OPS } from "./services.ts";
import {
  SYSTEM_FILES_OPS,
  SYSTEM_PACKAGE_OPS,
  SYSTEM_SERVER_OPS,
  SYSTEM_SERVICE_OPS,
} from "./system.ts";
import { APP_OPS, CONTAINER_OPS } from "./apps.ts";

/** The operations by the file of the deploy API that declares them (`lib/api/ops_NAME.ts`). */
export const OPERATION_GROUPS: Readonly<Record<string, readonly OpDefinition[]>> = {
  server: [...SERVER_OPS, ...SYSTEM_SERVER_OPS],
  files: [...FILES_OPS, ...SYSTEM_FILES_OPS],
  packages: [...PACKAGE_OPS, ...SYSTEM_PACKAGE_OPS],
  services: [...SERVICE_OPS, ...SYSTEM_SERVICE_OPS],
  containers: CONTAINER_OPS,
  apps: APP_OPS,
};

/** Every operation, by family. */
export const OPERATION_DEFINITIONS: readonly OpDefinition[] = Object.values(OPERATION_GROUPS)
  .flat();

/** What each family of operations is, for the deploy API's docs. */
export const FAMILIES: Readonly<Record<string, string>> = {
  server: "Server-level operations.",
  files: "File operations.",
  apt: "Debian and Ubuntu packages.",
  dnf: "Fedora, RHEL and derivatives.",
  apk: "Alpine.",
  packages: "Packages with whichever manager the host has.",
  systemd: "Services.",
  git: "git.",
  cron: "Cron.",
  pacman: "Arch Linux.",
  zypper: "openSUSE and SLES.",
  sysvinit: "Services under sysvinit (/etc/init.d scripts).",
  openrc: "Services under OpenRC.",
  docker:
    "Containers, through the docker or podman CLI (host data `container_cli`; default docker, else podman).",
  pip: "Python packages.",
  npm: "Node.js packages.",
  postgres: "PostgreSQL, through `psql` on the host (SQL on its stdin).",
  mysql: "MySQL and MariaDB, through the `mysql` client on the host.",
};
