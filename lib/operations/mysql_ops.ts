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

/** What `mysql.user` may change: the account and its password. */
export const MYSQL_USER: MayChange = keys((call) => {
  const account = `${call.positional[0]}@${call.options.host ?? "localhost"}`;
  return [`mysql:user:${account}`, `mysql:password:${account}`];
});
/** What `mysql.database` may change: the database. */
export const MYSQL_DATABASE: MayChange = keys((call) => [`mysql:database:${call.positional[0]}`]);

/** Runs `sql` through the `mysql` client on stdin, tab-separated, without column names. */
function mysql(sql: Command): Command {
  return sh`printf '%s\\n' ${sql} | mysql -N -B`;
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

/**
 * `mysql.user(name, {password, host, present})`: the account
 * `'name'@'host'` (host `localhost` by default) created, its password set
 * when it is not this one, or dropped with `present: false`.
 */
export async function user(
  ctx: OpContext,
  nameArg: unknown,
  options: { password?: string | SecretValue; host?: string; present?: boolean },
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
  const account = `${quoted(name)}@${quoted(host)}`;
  const where = `User = ${quoted(name)} AND Host = ${quoted(host)}`;
  const builder = new ResultBuilder();
  const exists = await readKey(
    ctx,
    `mysql:user:${name}@${host}`,
    () => yes(ctx, sh`${`SELECT count(*) FROM mysql.user WHERE ${where};`}`, builder),
  );
  const hash = password === undefined ? undefined : await nativePasswordHash(password);
  const secretHash = hash === undefined ? undefined : new SecretValue(quoted(hash));
  let sql: Command | undefined;
  if (!present) {
    if (!exists) return builder.done(`user ${name}@${host} is absent`);
    builder.change(`dropped user ${name}@${host}`);
    sql = sh`${`DROP USER ${account};`}`;
  } else if (!exists) {
    builder.change(`created user ${name}@${host}`);
    sql = secretHash === undefined
      ? sh`${`CREATE USER ${account};`}`
      : sh`${`CREATE USER ${account} IDENTIFIED WITH mysql_native_password AS `}${secretHash}${";"}`;
  } else if (secretHash !== undefined) {
    const stated = await readKey<{ hash: SecretValue } | null>(
      ctx,
      `mysql:password:${name}@${host}`,
      () => Promise.resolve(null),
    );
    const same = stated !== null ? stated.hash.reveal() === hash : await yes(
      ctx,
      sh`${"SELECT count(*) FROM mysql.user WHERE authentication_string = "}${secretHash}${` AND ${where};`}`,
      builder,
    );
    if (same) return builder.done(`user ${name}@${host} is as wanted`);
    builder.change(`set the password of user ${name}@${host}`);
    sql =
      sh`${`ALTER USER ${account} IDENTIFIED WITH mysql_native_password AS `}${secretHash}${";"}`;
  } else return builder.done(`user ${name}@${host} is as wanted`);
  predict(ctx, `mysql:user:${name}@${host}`, present);
  if (present && hash !== undefined) {
    predict(ctx, `mysql:password:${name}@${host}`, { hash: new SecretValue(hash) });
  }
  if (!ctx.dryRun) await runRecorded(ctx, mysql(sql), builder);
  return builder.done("");
}

/** `mysql.database(name, {present})`: the database created, or dropped with `present: false`. */
export async function database(
  ctx: OpContext,
  nameArg: unknown,
  options: { present?: boolean },
): Promise<OperationResult> {
  const op = "mysql.database";
  const name = named(op, "name", nameArg, /^[A-Za-z0-9_$][A-Za-z0-9_$-]{0,63}$/);
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
