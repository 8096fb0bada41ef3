/**
 * PostgreSQL facts through `psql` on the host: the roles and databases.
 * `psql` connects as libpq's environment says (`PGHOST`, `PGPORT`,
 * `PGUSER`: give them with `_env`), or as the user it runs as (`_sudo_user:
 * "postgres"` for peer authentication); SQL goes in on its stdin.
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { PostgresDatabaseFact, PostgresRoleFact } from "../api/mod.ts";
import type { FactDefinition } from "./fact.ts";

/**
 * Runs `sql` (a Command: its secrets stay out of argv) through `psql` on
 * stdin, unaligned, tuples only, stopping at the first error.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { sh } from "../core/command.ts";
 * import { psql } from "./postgres.ts";
 * strictEqual(
 *   psql(sh`${"SELECT 1;"}`).render(),
 *   "printf '%s\\n' 'SELECT 1;' | psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres",
 * );
 * ```
 */
export function psql(sql: Command): Command {
  return sh`printf '%s\\n' ${sql} | psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres`;
}

/** A JSON object aggregate, `{}` when there are no rows. */
const agg = (key: string, value: string, from: string) =>
  `SELECT coalesce(json_object_agg(${key}, ${value}), '{}') FROM ${from};`;

/** Every role but PostgreSQL's own (`pg_*`), by name. */
export const roles: FactDefinition<[], Record<string, PostgresRoleFact>> = {
  name: "postgres.roles",
  signature: {
    params: "",
    returns: "Record<string, PostgresRoleFact>",
    description:
      "every PostgreSQL role but `pg_*`, by name (through `psql` as `_env`/`_sudo_user` say)",
  },
  command: () =>
    psql(
      sh`${
        agg(
          "rolname",
          "json_build_object('login', rolcanlogin, 'superuser', rolsuper, 'createdb', rolcreatedb)",
          "pg_roles WHERE rolname !~ '^pg_'",
        )
      }`,
    ),
  parse: (stdout) => JSON.parse(stdout.trim() || "{}"),
};

/** Every database but the templates, by name, with owner and encoding. */
export const databases: FactDefinition<[], Record<string, PostgresDatabaseFact>> = {
  name: "postgres.databases",
  signature: {
    params: "",
    returns: "Record<string, PostgresDatabaseFact>",
    description: "every PostgreSQL database but the templates, by name",
  },
  command: () =>
    psql(
      sh`${
        agg(
          "datname",
          "json_build_object('owner', pg_get_userbyid(datdba), 'encoding', pg_encoding_to_char(encoding))",
          "pg_database WHERE NOT datistemplate",
        )
      }`,
    ),
  parse: (stdout) => JSON.parse(stdout.trim() || "{}"),
};
