import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { sshFleet } from "../helpers/ssh_fleet.ts";
import { tempDir } from "../helpers/temp.ts";

const DEPLOY = new URL("../../fleets/deploys/rolling_release.ts", import.meta.url).pathname;
const HOSTS = ["web1", "web2", "web3"];

async function lines(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).trim().split("\n").filter(Boolean);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

Deno.test("fleets/deploys/rolling_release.ts on three sshd hosts: one migration, restarts in order, behind barriers", async () => {
  await using fleet = await sshFleet(3, HOSTS);
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const path = await fleet.write(dir.path, "", (name) => ({ app_root: dir.join(name) }));
  const first = await runSkiff(["deploy", path, DEPLOY, "-y", "--json"]);
  strictEqual(first.code, 0, first.stdout + first.stderr);
  const migrations = await Promise.all(HOSTS.map((h) => lines(dir.join(h, "migrations.log"))));
  deepStrictEqual(migrations.map((m) => m.length).sort(), [0, 0, 1]);
  const migratedAt = BigInt(migrations.flat()[0].split(" ").at(-1)!);
  const restarts = await Promise.all(
    HOSTS.map(async (h) =>
      (await lines(dir.join(h, "events.log"))).map((l) => BigInt(l.split(" ")[1]))
    ),
  );
  deepStrictEqual(restarts.map((r) => r.length), [1, 1, 1]);
  const [a, b, c] = restarts.map((r) => r[0]);
  strictEqual(migratedAt < a && a < b && b < c, true, "migration, then web1, web2, web3");
  const events = first.stdout.trim().split("\n").map((line) => JSON.parse(line));
  deepStrictEqual(
    events.filter((e) => e.type === "barrier-pass").map((e) => e.barrier),
    ["staged", "migrated"],
  );
  deepStrictEqual(
    events.filter((e) => e.type === "handler-run").map((e) => e.host),
    HOSTS,
  );

  const second = await runSkiff(["deploy", path, DEPLOY, "-y", "--json"]);
  strictEqual(second.code, 0, second.stdout + second.stderr);
  // Nothing switched: no restart. The migration runs once per run (its own idempotence is the deploy's).
  deepStrictEqual(
    (await Promise.all(HOSTS.map((h) => lines(dir.join(h, "events.log"))))).map((r) => r.length),
    [1, 1, 1],
  );
});
