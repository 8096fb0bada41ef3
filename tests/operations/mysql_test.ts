/**
 * `mysql.user` and `mysql.database` against a real MariaDB server running
 * in a Debian tree (installed from the machine's apt mirror and cached),
 * through the real ChrootConnector: a dry run, then for real; both must
 * agree.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { SecretValue } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import { mariadbRoot } from "../helpers/mariadb_root.ts";
import { localHarness } from "../helpers/ops.ts";
import { dryThenReal, shown } from "../helpers/predict.ts";

Deno.test("mysql.user and mysql.database on MariaDB: first run changes, second does not, dry run predicts, passwords stay secret", async () => {
  await using root = await mariadbRoot();
  const host = { name: "db", data: { chroot_directory: root.path }, groups: ["all"] };
  const connector = new ChrootConnector(host, { runProcess });
  await connector.connect();
  const pw = (text: string) => new SecretValue(text);
  try {
    const run = await dryThenReal({ host, connector }, [
      ["mysql.database", "appdb"],
      ["mysql.database", "appdb"],
      ["mysql.user", "app", { password: pw("first 'pw'") }],
      ["mysql.user", "app", { password: pw("first 'pw'") }],
      ["mysql.user", "app", { password: pw("second\\pw") }],
      ["mysql.user", "app", { password: pw("second\\pw") }],
      ["mysql.user", "app", { privileges: { appdb: ["SELECT", "insert"] } }],
      ["mysql.user", "app", { privileges: { appdb: ["INSERT", "SELECT"] } }],
      ["mysql.user", "app", { privileges: { appdb: "ALL", app_logs: ["SELECT"] } }],
      ["mysql.user", "app", { privileges: { appdb: ["ALL PRIVILEGES"], app_logs: "select" } }],
      ["mysql.user", "app", { privileges: {} }],
      ["mysql.user", "app", { privileges: {} }],
      ["mysql.user", "app", { host: "10.0.%", present: false }],
      ["mysql.user", "app", { present: false }],
      ["mysql.user", "app", { present: false }],
      ["mysql.database", "appdb", { present: false }],
      ["mysql.database", "appdb", { present: false }],
    ]);
    deepStrictEqual(shown(run.real), [
      "changed: created database appdb\n",
      "no change: database appdb is present\n",
      "changed: created user app@localhost\n",
      "no change: user app@localhost is as wanted\n",
      "changed: set the password of user app@localhost\n",
      "no change: user app@localhost is as wanted\n",
      "changed: privileges of user app@localhost: appdb: (none) -> INSERT, SELECT\n",
      "no change: user app@localhost is as wanted\n",
      "changed: privileges of user app@localhost: app_logs: (none) -> SELECT; appdb: INSERT, SELECT -> ALL\n",
      "no change: user app@localhost is as wanted\n",
      "changed: privileges of user app@localhost: app_logs: SELECT -> (none); appdb: ALL -> (none)\n",
      "no change: user app@localhost is as wanted\n",
      "no change: user app@10.0.% is absent\n",
      "changed: dropped user app@localhost\n",
      "no change: user app@localhost is absent\n",
      "changed: dropped database appdb\n",
      "no change: database appdb is absent\n",
    ]);
    deepStrictEqual(shown(run.dry), shown(run.real));
    const seen = await dryThenReal({ host, connector }, [
      ["mysql.user", "app", { password: pw("second\\pw") }],
    ]);
    deepStrictEqual(shown(seen.real), ["changed: created user app@localhost\n"]);
    // The hash MariaDB stores is the one of the password as given (backslash and all).
    strictEqual(
      await root.sh(
        "mysql -N -B -e \"SELECT authentication_string = PASSWORD('second\\\\\\\\pw') FROM mysql.user WHERE User = 'app'\"",
      ),
      "1",
    );
  } finally {
    await connector.disconnect();
  }
});

Deno.test("mysql operations refuse bad input with an input error naming the argument", async (t) => {
  const h = localHarness();
  const cases: [string, unknown[], string][] = [
    ["mysql.user", ["app'x"], `mysql.user name: unexpected value "app'x"`],
    ["mysql.user", ["app", { host: "a b" }], `mysql.user host: unexpected value "a b"`],
    [
      "mysql.user",
      ["app", { password: 3 }],
      'mysql.user: option "password" must be a string or a secret, got 3',
    ],
    [
      "mysql.user",
      ["app", { privileges: ["SELECT"] }],
      `mysql.user privileges: expected { database: ["SELECT", …] or "ALL" }, got ["SELECT"]`,
    ],
    [
      "mysql.user",
      ["app", { privileges: { appdb: ["SELECT; DROP"] } }],
      `mysql.user privileges: appdb: expected privilege names such as "SELECT", got ["SELECT; DROP"]`,
    ],
    [
      "mysql.user",
      ["app", { privileges: { "a.b": "ALL" } }],
      `mysql.user privileges: unexpected value "a.b"`,
    ],
    ["mysql.database", ["a`b"], 'mysql.database name: unexpected value "a`b"'],
    [
      "mysql.database",
      ["a", { present: "no" }],
      `mysql.database: option "present" must be true or false, got "no"`,
    ],
  ];
  for (const [name, args, message] of cases) {
    await t.step(`${name} ${JSON.stringify(args)}`, async () => {
      await rejects(h.op(name, ...args), { name: "InputError", message });
    });
  }
});
