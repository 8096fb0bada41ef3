/**
 * `mysql.user` and `mysql.database` through the `mysql` client on the host
 * (MySQL or MariaDB), which connects as the user it runs as (root through
 * the unix_socket plugin on Debian's MariaDB) or as its option files say.
 * SQL goes in on its stdin, written by the shell's `printf` builtin. A
 * password never leaves the controller: it is compared with, and set as,
 * its `mysql_native_password` hash.
 *
 * @module
 */

import { type Command, SecretValue, sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { keys, type MayChange } from "./effects.ts";
import { predict, readKey } from "./predicted_facts.ts";

/** What `mysql.user` may change: the account, its password and its grants. */
export const MYSQL_USER: MayChange = keys((call) => {
  const account = `${call.positional[0]}@${call.options.host ?? "localhost"}`;
  return [`mysql:user:${account}`, `mysql:password:${account}`, `mysql:grants:${account}`];
});
/** What `mysql.database` may change: the database. */
export const MYSQL_DATABASE: MayChange = keys((call) => [`mysql:database:${call.positional[0]}`]);

/** Runs `sql` through the `mysql` client on stdin: tab-separated, no column names, no escaping of output. */
function mysql(sql: Command): Command {
  return sh`printf '%s\\n' ${sql} | mysql -N -B -r`;
}

const quoted = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;

/**
 * The `mysql_native_password` hash of a password: `*` and the upper-case
 * hex SHA-1 of its SHA-1.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { nativePasswordHash } from "./mysql_ops.ts";
 * strictEqual(await nativePasswordHash("pw"), "*D821809F681A40A6E379B50D0463EFAE20BDD122");
 * ```
 */
export async function nativePasswordHash(password: string): Promise<string> {
  const once = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(password));
  const twice = new Uint8Array(await crypto.subtle.digest("SHA-1", once));
  return `*${Array.from(twice, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase()}`;
}

function named(op: string, what: string, value: unknown, pattern: RegExp): string {
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new InputError(`${op} ${what}: unexpected value ${JSON.stringify(value)}`);
  }
  return value;
}

function presentOf(op: string, present: unknown): boolean {
  if (present !== undefined && typeof present !== "boolean") {
    throw new InputError(`${op} present: expected true or false, got ${JSON.stringify(present)}`);
  }
  return present ?? true;
}

/** Whether a query of one number (a count, a comparison) answers 1. */
async function yes(ctx: OpContext, sql: Command, builder: ResultBuilder): Promise<boolean> {
  return (await runScript(ctx, mysql(sql), builder))[0] === "1";
}

/** The options of `mysql.user`. */
export interface MysqlUserOptions {
  password?: string | SecretValue;
  host?: string;
  privileges?: Record<string, string[] | string>;
  present?: boolean;
}

/** A database name in a GRANT: backquoted, `_` escaped (it is a wildcard there). */
const grantDb = (db: string) => `\`${db.replaceAll("_", "\\_")}\`.*`;

/**
 * The database-level grants in `SHOW GRANTS` lines: database → its
 * privileges, sorted (`ALL` for all of them).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseGrants } from "./mysql_ops.ts";
 * deepStrictEqual(
 *   parseGrants([
 *     "GRANT USAGE ON *.* TO `app`@`localhost`",
 *     "GRANT SELECT, INSERT ON `app\\_db`.* TO `app`@`localhost`",
 *     "GRANT ALL PRIVILEGES ON `logs`.* TO `app`@`localhost` WITH GRANT OPTION",
 *   ]),
 *   { app_db: ["INSERT", "SELECT"], logs: ["ALL"] },
 * );
 * ```
 */
export function parseGrants(lines: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const match = /^GRANT (.+?) ON `((?:[^`]|``)+)`\.\* TO /.exec(line);
    if (!match) continue;
    const db = match[2].replaceAll("``", "`").replaceAll("\\_", "_");
    out[db] = privilegeList(match[1].split(", "));
  }
  return out;
}

function privilegeList(items: readonly string[]): string[] {
  const names = items.map((item) => item.trim().toUpperCase());
  return names.some((item) => item === "ALL" || item === "ALL PRIVILEGES")
    ? ["ALL"]
    : [...new Set(names)].sort();
}

function wantedGrants(op: string, value: unknown): Record<string, string[]> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(
      `${op} privileges: expected { database: ["SELECT", …] or "ALL" }, got ${
        JSON.stringify(value)
      }`,
    );
  }
  const out: Record<string, string[]> = {};
  for (const [db, list] of Object.entries(value)) {
    named(op, "privileges", db, DATABASE_NAME);
    const items = typeof list === "string" ? [list] : list;
    if (
      !Array.isArray(items) ||
      items.some((item) => typeof item !== "string" || !/^[A-Za-z][A-Za-z ]*$/.test(item))
    ) {
      throw new InputError(
        `${op} privileges: ${db}: expected privilege names such as "SELECT", got ${
          JSON.stringify(list)
        }`,
      );
    }
    out[db] = privilegeList(items as string[]);
  }
  return out;
}

const DATABASE_NAME = /^[A-Za-z0-9_$][A-Za-z0-9_$-]{0,63}$/;

/**
 * `mysql.user(name, {password, host, privileges, present})`: the account
 * `'name'@'host'` (host `localhost` by default) created, its password set
 * when it is not this one, its database-level privileges made exactly
 * `privileges` (`{ appdb: ["SELECT", "INSERT"], logs: "ALL" }`; grants on
 * databases not named are revoked), or dropped with `present: false`.
 */
export async function user(
  ctx: OpContext,
  nameArg: unknown,
  options: MysqlUserOptions,
): Promise<OperationResult> {
  const op = "mysql.user";
  const name = named(op, "name", nameArg, /^[A-Za-z0-9_][A-Za-z0-9_.$-]{0,79}$/);
  const host = named(op, "host", options.host ?? "localhost", /^[A-Za-z0-9_.%:-]{1,255}$/);
  const present = presentOf(op, options.present);
  const password = options.password instanceof SecretValue
    ? options.password.reveal()
    : options.password;
  if (password !== undefined && (typeof password !== "string" || password === "")) {
    throw new InputError(`${op} password: expected text or a secret`);
  }
  const grants = wantedGrants(op, options.privileges);
  const who = `${name}@${host}`;
  const account = `${quoted(name)}@${quoted(host)}`;
  const where = `User = ${quoted(name)} AND Host = ${quoted(host)}`;
  const builder = new ResultBuilder();
  const exists = await readKey(
    ctx,
    `mysql:user:${who}`,
    () => yes(ctx, sh`${`SELECT count(*) FROM mysql.user WHERE ${where};`}`, builder),
  );
  const hash = password === undefined ? undefined : await nativePasswordHash(password);
  const secretHash = hash === undefined ? undefined : new SecretValue(quoted(hash));
  const identified = sh`${" IDENTIFIED WITH mysql_native_password AS "}${secretHash ?? ""}`;
  const statements: Command[] = [];
  if (!present) {
    if (!exists) return builder.done(`user ${who} is absent`);
    builder.change(`dropped user ${who}`);
    statements.push(sh`${`DROP USER ${account};`}`);
  } else if (!exists) {
    builder.change(`created user ${who}`);
    statements.push(sh`${`CREATE USER ${account}`}${secretHash ? identified : sh``}${";"}`);
  } else if (secretHash !== undefined) {
    const stated = await readKey<{ hash: SecretValue } | null>(
      ctx,
      `mysql:password:${who}`,
      () => Promise.resolve(null),
    );
    const same = stated !== null ? stated.hash.reveal() === hash : await yes(
      ctx,
      sh`${"SELECT count(*) FROM mysql.user WHERE authentication_string = "}${secretHash}${` AND ${where};`}`,
      builder,
    );
    if (!same) {
      builder.change(`set the password of user ${who}`);
      statements.push(sh`${`ALTER USER ${account}`}${identified}${";"}`);
    }
  }
  if (present && grants !== undefined) {
    const have = !exists ? {} : await readKey<Record<string, string[]>>(
      ctx,
      `mysql:grants:${who}`,
      async () =>
        parseGrants(await runScript(ctx, mysql(sh`${`SHOW GRANTS FOR ${account};`}`), builder)),
    );
    const changes: string[] = [];
    for (const db of [...new Set([...Object.keys(have), ...Object.keys(grants)])].sort()) {
      const [from, to] = [have[db] ?? [], grants[db] ?? []];
      if (from.join() === to.join()) continue;
      changes.push(`${db}: ${from.join(", ") || "(none)"} -> ${to.join(", ") || "(none)"}`);
      if (from.length > 0) {
        statements.push(sh`${`REVOKE ALL PRIVILEGES ON ${grantDb(db)} FROM ${account};`}`);
      }
      if (to.length > 0) {
        statements.push(sh`${`GRANT ${to.join(", ")} ON ${grantDb(db)} TO ${account};`}`);
      }
    }
    if (changes.length > 0) builder.change(`privileges of user ${who}: ${changes.join("; ")}`);
    predict(ctx, `mysql:grants:${who}`, grants);
  }
  if (statements.length === 0) return builder.done(`user ${who} is as wanted`);
  predict(ctx, `mysql:user:${who}`, present);
  // A new account has no database grants but those asked for.
  if (!exists && grants === undefined) predict(ctx, `mysql:grants:${who}`, {});
  if (present && hash !== undefined) {
    predict(ctx, `mysql:password:${who}`, { hash: new SecretValue(hash) });
  }
  if (!present) predict(ctx, `mysql:grants:${who}`, {});
  if (!ctx.dryRun) {
    await runRecorded(ctx, mysql(statements.reduce((a, b) => sh`${a} ${b}`)), builder);
  }
  return builder.done("");
}

/** `mysql.database(name, {present})`: the database created, or dropped with `present: false`. */
export async function database(
  ctx: OpContext,
  nameArg: unknown,
  options: { present?: boolean },
): Promise<OperationResult> {
  const op = "mysql.database";
  const name = named(op, "name", nameArg, DATABASE_NAME);
  const present = presentOf(op, options.present);
  const builder = new ResultBuilder();
  const exists = await readKey(ctx, `mysql:database:${name}`, () =>
    yes(
      ctx,
      sh`${`SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${
        quoted(name)
      };`}`,
      builder,
    ));
  if (exists === present) {
    return builder.done(`database ${name} is ${present ? "present" : "absent"}`);
  }
  builder.change(`${present ? "created" : "dropped"} database ${name}`);
  predict(ctx, `mysql:database:${name}`, present);
  const verb = present ? "CREATE" : "DROP";
  if (!ctx.dryRun) await runRecorded(ctx, mysql(sh`${`${verb} DATABASE \`${name}\`;`}`), builder);
  return builder.done("");
}
