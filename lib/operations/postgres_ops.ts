/**
 * `postgres.role` and `postgres.database`: roles and databases through
 * `psql` on the host (see `lib/facts/postgres.ts` for how it connects).
 * SQL goes in on psql's stdin, written by the shell's `printf` builtin; a
 * password never leaves the controller: skiff compares it with the stored
 * SCRAM verifier by computing the verifier for the stored salt, and sets
 * it as a verifier it computed with a fresh salt.
 *
 * @module
 */

import { type Command, SecretValue, sh } from "../core/command.ts";
import type { OperationResult, PostgresRoleFact, PostgresRoleOptions } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { psql } from "../facts/postgres.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { keys, type MayChange } from "./effects.ts";
import { predict, readKey } from "./predicted_facts.ts";
import { UNKNOWN } from "./predicted_state.ts";

const roleKey = (name: string) => `postgres:role:${name}`;
const passwordKey = (name: string) => `postgres:password:${name}`;
const databaseKey = (name: string) => `postgres:database:${name}`;

/** What `postgres.role` may change: the role and its password. */
export const ROLE: MayChange = keys((call) => [
  roleKey(String(call.positional[0])),
  passwordKey(String(call.positional[0])),
]);
/** What `postgres.database` may change: the database. */
export const DATABASE: MayChange = keys((call) => [databaseKey(String(call.positional[0]))]);

/** A SQL identifier, double-quoted. */
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** A SQL string literal. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

function checkName(op: string, value: unknown, what = "name"): string {
  if (typeof value !== "string" || !/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(value)) {
    throw new InputError(
      `${op} ${what}: expected a name of letters, digits, "_", "$" and "-", got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

function checkFlag(op: string, options: Record<string, unknown>, key: string): boolean | undefined {
  const value = options[key];
  if (value !== undefined && typeof value !== "boolean") {
    throw new InputError(`${op} ${key}: expected true or false, got ${JSON.stringify(value)}`);
  }
  return value as boolean | undefined;
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` with `salt`
 * (base64) and `iterations` (its password is used as UTF-8 bytes, without
 * SASLprep, which changes nothing for ASCII).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { scramVerifier } from "./postgres_ops.ts";
 * strictEqual(
 *   await scramVerifier("pw", "PuEWCEbpOLqeR28HJems6Q==", 4096),
 *   "SCRAM-SHA-256$4096:PuEWCEbpOLqeR28HJems6Q==$zDl5BKGf5FWachpoGT/tNdoHylK1z1JSQHK2A5UCX04=:gdRg8+dB8bASjFvH2Rll5JbjJkfiZHZBr/U+YLIsQhk=",
 * );
 * ```
 */
export async function scramVerifier(
  password: string,
  salt: string,
  iterations: number,
): Promise<string> {
  const encode = (text: string) => new TextEncoder().encode(text);
  const saltBytes = Uint8Array.from(atob(salt), (char) => char.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const salted = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: saltBytes, iterations },
    key,
    256,
  );
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    salted,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const hmac = async (text: string) =>
    new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, encode(text)));
  const stored = new Uint8Array(await crypto.subtle.digest("SHA-256", await hmac("Client Key")));
  return `SCRAM-SHA-256$${iterations}:${salt}$${base64(stored)}:${
    base64(await hmac("Server Key"))
  }`;
}

/** A password as a dry run knows it: the value an earlier step set, or the host's salt and iterations. */
type PasswordState = { set: SecretValue } | { scram: string };

/** Runs `sql` through psql and returns its output lines. */
async function query(ctx: OpContext, sql: Command, builder: ResultBuilder): Promise<string[]> {
  return await runScript(ctx, psql(sql), builder);
}

/**
 * `postgres.role(name, {password, login, superuser, createdb, present})`:
 * creates the role (login unless `login: false`), alters the attributes
 * named that differ, sets the password when the stored verifier is not
 * this password's, or drops the role with `present: false`.
 */
export async function role(
  ctx: OpContext,
  nameArg: unknown,
  options: PostgresRoleOptions,
): Promise<OperationResult> {
  const op = "postgres.role";
  const name = checkName(op, nameArg);
  const opts = options as Record<string, unknown>;
  const present = checkFlag(op, opts, "present") ?? true;
  const asked: Partial<PostgresRoleFact> = {};
  for (const key of ["login", "superuser", "createdb"] as const) {
    const value = checkFlag(op, opts, key);
    if (value !== undefined) asked[key] = value;
  }
  const password = options.password;
  const secret: unknown = password instanceof SecretValue ? password.reveal() : password;
  if (password !== undefined && (typeof secret !== "string" || secret === "")) {
    throw new InputError(`${op} password: expected text or a secret`);
  }
  const wanted = secret as string | undefined;
  const builder = new ResultBuilder();
  let seen: Promise<[PostgresRoleFact | null, PasswordState]> | undefined;
  const host = () =>
    seen ??= query(
      ctx,
      sh`${`SELECT json_build_object('login', rolcanlogin, 'superuser', rolsuper, 'createdb', rolcreatedb, 'scram', coalesce(split_part(rolpassword, '$', 2), '')) FROM pg_authid WHERE rolname = ${
        literal(name)
      };`}`,
      builder,
    ).then((lines) => {
      if (lines.join("").trim() === "") return [null, { scram: "" }];
      const { scram, ...fact } = JSON.parse(lines.join("\n"));
      return [fact as PostgresRoleFact, { scram }];
    });
  const current = await readKey(ctx, roleKey(name), async () => (await host())[0]);
  if (!present) {
    if (current === null) return builder.done(`role ${name} is absent`);
    builder.change(`dropped role ${name}`);
    predict(ctx, roleKey(name), null);
    if (!ctx.dryRun) await runRecorded(ctx, psql(sh`${`DROP ROLE ${ident(name)};`}`), builder);
    return builder.done("");
  }
  const attrs: PostgresRoleFact = {
    login: asked.login ?? current?.login ?? true,
    superuser: asked.superuser ?? current?.superuser ?? false,
    createdb: asked.createdb ?? current?.createdb ?? false,
  };
  const differ = current === null
    ? []
    : (Object.keys(asked) as (keyof PostgresRoleFact)[]).filter((k) => current[k] !== attrs[k]);
  let newPassword = false;
  if (wanted !== undefined) {
    if (current === null) newPassword = true;
    else {
      const stored = await readKey<PasswordState>(
        ctx,
        passwordKey(name),
        async () => (await host())[1],
      );
      newPassword = "set" in stored
        ? stored.set.reveal() !== wanted
        : !(await sameScram(ctx, { name, secret: wanted, scram: stored.scram }, builder));
    }
  }
  if (current !== null && differ.length === 0 && !newPassword) {
    return builder.done(`role ${name} is as wanted`);
  }
  const words = (current === null ? Object.keys(attrs) : differ).map((key) => {
    const on = attrs[key as keyof PostgresRoleFact];
    return `${on ? "" : "NO"}${key === "login" ? "LOGIN" : key.toUpperCase()}`;
  });
  if (current === null) builder.change(`created role ${name}`);
  else if (differ.length > 0) {
    builder.change(
      `altered role ${name} (${differ.map((k) => `${k} ${current[k]} -> ${attrs[k]}`).join(", ")})`,
    );
  }
  if (current !== null && newPassword) builder.change(`set the password of role ${name}`);
  predict(ctx, roleKey(name), attrs);
  if (newPassword) predict(ctx, passwordKey(name), { set: new SecretValue(wanted!) });
  if (ctx.dryRun) return builder.done("");
  const verb = `${current === null ? "CREATE" : "ALTER"} ROLE ${ident(name)} WITH ${
    words.join(" ")
  }`;
  const salt = base64(crypto.getRandomValues(new Uint8Array(16)));
  const sql = newPassword
    ? sh`${`${verb} PASSWORD `}${new SecretValue(
      literal(await scramVerifier(wanted!, salt, 4096)),
    )}${";"}`
    : sh`${`${verb};`}`;
  await runRecorded(ctx, psql(sql), builder);
  return builder.done("");
}

/** True when the stored verifier (salt and iterations `scram`) is this password's. */
async function sameScram(
  ctx: OpContext,
  { name, secret, scram }: { name: string; secret: string; scram: string },
  builder: ResultBuilder,
): Promise<boolean> {
  const match = /^(\d+):(\S+)$/.exec(scram);
  if (!match) return false; // no password, or an md5 one
  const verifier = await scramVerifier(secret, match[2], Number(match[1]));
  const [same] = await query(
    ctx,
    sh`${"SELECT rolpassword = "}${new SecretValue(
      literal(verifier),
    )}${` FROM pg_authid WHERE rolname = ${literal(name)};`}`,
    builder,
  );
  return same === "t";
}

/**
 * `postgres.database(name, {owner, encoding, present})`: creates the
 * database (from template0 when an encoding is named), gives it to `owner`
 * when another role owns it, or drops it with `present: false`. An
 * existing database with another encoding is an error (it cannot change).
 */
export async function database(
  ctx: OpContext,
  nameArg: unknown,
  options: { owner?: string; encoding?: string; present?: boolean },
): Promise<OperationResult> {
  const op = "postgres.database";
  const name = checkName(op, nameArg);
  const present = checkFlag(op, options as Record<string, unknown>, "present") ?? true;
  const owner = options.owner === undefined ? undefined : checkName(op, options.owner, "owner");
  const encoding = options.encoding;
  if (
    encoding !== undefined && (typeof encoding !== "string" || !/^[A-Za-z0-9_]+$/.test(encoding))
  ) {
    throw new InputError(
      `${op} encoding: expected an encoding such as "UTF8", got ${JSON.stringify(encoding)}`,
    );
  }
  const builder = new ResultBuilder();
  const current = await readKey<{ owner: string; encoding: string } | null>(
    ctx,
    databaseKey(name),
    async () => {
      const lines = await query(
        ctx,
        sh`${`SELECT json_build_object('owner', pg_get_userbyid(datdba), 'encoding', pg_encoding_to_char(encoding)) FROM pg_database WHERE datname = ${
          literal(name)
        };`}`,
        builder,
      );
      return lines.join("").trim() === "" ? null : JSON.parse(lines.join("\n"));
    },
  );
  let sql: string;
  if (!present) {
    if (current === null) return builder.done(`database ${name} is absent`);
    builder.change(`dropped database ${name}`);
    predict(ctx, databaseKey(name), null);
    sql = `DROP DATABASE ${ident(name)};`;
  } else if (current === null) {
    builder.change(`created database ${name}`);
    sql = `CREATE DATABASE ${ident(name)}${owner ? ` OWNER ${ident(owner)}` : ""}${
      encoding ? ` ENCODING ${literal(encoding)} TEMPLATE template0` : ""
    };`;
    // Without owner or encoding: the connecting role's, template1's (not known to a declaration).
    predict(ctx, databaseKey(name), {
      owner: owner ?? UNKNOWN,
      encoding: encoding?.toUpperCase() ?? UNKNOWN,
    });
  } else {
    if (encoding !== undefined && current.encoding.toUpperCase() !== encoding.toUpperCase()) {
      throw new OperationError(
        `${op}: database ${name} has encoding ${current.encoding}, not ${encoding}: an encoding cannot be changed`,
      );
    }
    if (owner === undefined || current.owner === owner) {
      return builder.done(`database ${name} is as wanted`);
    }
    builder.change(`database ${name} owner ${current.owner} -> ${owner}`);
    predict(ctx, databaseKey(name), { ...current, owner });
    sql = `ALTER DATABASE ${ident(name)} OWNER TO ${ident(owner)};`;
  }
  if (!ctx.dryRun) await runRecorded(ctx, psql(sh`${sql}`), builder);
  return builder.done("");
}
