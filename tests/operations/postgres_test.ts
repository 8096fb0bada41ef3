/**
 * `postgres.role` and `postgres.database` against a real PostgreSQL server
 * on @local: a cluster the test makes in a temporary directory (initdb as
 * the `postgres` user, trust authentication, a Unix socket in that
 * directory and no TCP), reached through libpq's environment in the host's
 * `_env`. Each sequence runs as a dry run, then for real; both must agree.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { SecretValue } from "../../lib/core/command.ts";
import { databases, roles } from "../../lib/facts/postgres.ts";
import { runProcess } from "../../lib/process.ts";
import { connectorHarness, localHarness } from "../helpers/ops.ts";
import { dryThenReal, shown } from "../helpers/predict.ts";
import { requireCommand, requireRoot } from "../helpers/require.ts";
import { run } from "../helpers/targets.ts";

/** A PostgreSQL cluster in a temporary directory, stopped and removed when disposed. */
async function postgresCluster() {
  requireRoot("a PostgreSQL cluster run as the postgres user");
  for (const command of ["initdb", "pg_ctl", "psql"]) await requireCommand(command, "postgresql");
  const dir = await Deno.makeTempDir({ prefix: "skiff-pg-" });
  await run(["chown", "postgres:", dir]);
  const as = (argv: string[]) => run(["runuser", "-u", "postgres", "--", ...argv]);
  await as(["initdb", "-D", `${dir}/data`, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  await as([
    "pg_ctl",
    "-D",
    `${dir}/data`,
    "-o",
    `-k ${dir} -c listen_addresses='' -p 5432`,
    "-l",
    `${dir}/log`,
    "-w",
    "start",
  ]);
  return {
    env: { PGHOST: dir, PGPORT: "5432", PGUSER: "postgres" },
    psql: (sql: string) =>
      run(["psql", "-X", "-A", "-t", "-h", dir, "-U", "postgres", "-d", "postgres", "-c", sql]),
    [Symbol.asyncDispose]: async () => {
      await as(["pg_ctl", "-D", `${dir}/data`, "-m", "immediate", "stop"]).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("postgres.role and postgres.database on a real server: first run changes, second does not, dry run predicts, passwords stay secret", async () => {
  await using pg = await postgresCluster();
  const host = { name: "@local", data: { _env: pg.env }, groups: ["@local"] };
  const connector = new LocalConnector(host, { runProcess });
  const pw = (text: string) => new SecretValue(text);
  const steps: [string, ...unknown[]][] = [
    ["postgres.role", "app", { password: pw("first pw'1"), createdb: true }],
    ["postgres.role", "app", { password: pw("first pw'1"), createdb: true }],
    ["postgres.role", "app", { password: pw("second-pw") }],
    ["postgres.role", "app", { password: pw("second-pw"), login: false }],
    ["postgres.role", "app", { password: pw("second-pw"), login: false }],
    ["postgres.database", "appdb", { owner: "app", encoding: "UTF8" }],
    ["postgres.database", "appdb", { owner: "app", encoding: "utf8" }],
    ["postgres.database", "appdb", { owner: "postgres" }],
    ["postgres.database", "appdb", { encoding: "LATIN1" }],
  ];
  const first = await dryThenReal({ host, connector }, steps);
  deepStrictEqual(shown(first.real), [
    "changed: created role app\n",
    "no change: role app is as wanted\n",
    "changed: set the password of role app\n",
    "changed: altered role app (login true -> false)\n",
    "no change: role app is as wanted\n",
    "changed: created database appdb\n",
    "no change: database appdb is as wanted\n",
    "changed: database appdb owner app -> postgres\n",
    "failed",
  ]);
  deepStrictEqual(shown(first.dry), shown(first.real));
  strictEqual(
    first.real[8].description,
    "postgres.database: database appdb has encoding UTF8, not LATIN1: an encoding cannot be changed",
  );
  strictEqual(
    await pg.psql(
      "SELECT rolcanlogin, rolcreatedb, rolpassword LIKE 'SCRAM-SHA-256$4096:%' FROM pg_authid WHERE rolname = 'app'",
    ),
    "f|t|t",
  );
  const h = connectorHarness(host, connector);
  deepStrictEqual((await h.session.fact(roles)).app, {
    login: false,
    superuser: false,
    createdb: true,
  });
  deepStrictEqual((await h.session.fact(databases)).appdb, { owner: "postgres", encoding: "UTF8" });
  const second = await dryThenReal({ host, connector }, [
    ["postgres.database", "appdb", { present: false }],
    ["postgres.database", "appdb", { present: false }],
    ["postgres.role", "app", { present: false }],
    ["postgres.role", "app", { present: false }],
  ]);
  deepStrictEqual(shown(second.real), [
    "changed: dropped database appdb\n",
    "no change: database appdb is absent\n",
    "changed: dropped role app\n",
    "no change: role app is absent\n",
  ]);
  deepStrictEqual(shown(second.dry), shown(second.real));
  strictEqual(await pg.psql("SELECT count(*) FROM pg_roles WHERE rolname = 'app'"), "0");
  // No password and no verifier in any command shown; SQL went on psql's stdin.
  const seen = h.events.map((event) => JSON.stringify(event)).join("\n");
  for (const secret of ["first pw", "second-pw", "SCRAM-SHA-256$4096"]) {
    strictEqual(seen.includes(secret), false, secret);
  }
});

Deno.test("postgres operations refuse bad input with an input error naming the argument", async (t) => {
  const h = localHarness();
  const cases: [string, unknown[], string][] = [
    [
      "postgres.role",
      ['x"; DROP ROLE postgres; --'],
      `postgres.role name: expected a name of letters, digits, "_", "$" and "-", got "x\\"; DROP ROLE postgres; --"`,
    ],
    [
      "postgres.role",
      ["app", { login: "yes" }],
      `postgres.role: option "login" must be true or false, got "yes"`,
    ],
    [
      "postgres.role",
      ["app", { password: "" }],
      "postgres.role password: expected text or a secret",
    ],
    [
      "postgres.database",
      ["db", { owner: "-x" }],
      `postgres.database owner: expected a name of letters, digits, "_", "$" and "-", got "-x"`,
    ],
    [
      "postgres.database",
      ["db", { encoding: "UTF8'" }],
      `postgres.database encoding: expected an encoding such as "UTF8", got "UTF8'"`,
    ],
  ];
  for (const [name, args, message] of cases) {
    await t.step(`${name} ${JSON.stringify(args)}`, async () => {
      await rejects(h.op(name, ...args), { name: "InputError", message });
    });
  }
});
