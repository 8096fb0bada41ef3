/**
 * Fault case 29: 32 hosts accepting new host keys at once under
 * `accept-new`. known_hosts stays well formed: one line per host, none lost,
 * none torn.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("fault 29: 32 hosts accepting new keys at once leave one well-formed known_hosts line each", async () => {
  // OpenSSH listens on at most 16 sockets: two servers, 16 addresses each.
  const addresses = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 1}`);
  await using one = await startSshd({ listen: addresses });
  await using two = await startSshd({
    listen: addresses,
    authorize: [await Deno.readTextFile(`${one.clientKey}.pub`)],
  });
  await using dir = await tempDir();
  const known = dir.join("known_hosts");
  await Deno.writeTextFile(known, "");
  const hosts = [one, two].flatMap((sshd) =>
    addresses.map((address) => ({ name: `[${address}]:${sshd.port}`, sshd, address }))
  );
  const targets = hosts.map(({ sshd, address }) => `@ssh/${TEST_USER}@${address}:${sshd.port}`);
  const run = await runSkiff([
    "exec",
    targets.join(","),
    "--parallel",
    "32",
    "--data",
    `ssh_key=${one.clientKey},ssh_known_hosts_file=${known},ssh_strict_host_key_checking=accept-new`,
    "--",
    "true",
  ]);
  strictEqual(targets.length, 32);
  strictEqual(run.code, 0, run.stdout + run.stderr);
  const lines = (await Deno.readTextFile(known)).split("\n");
  strictEqual(lines.pop(), "", "ends with a newline");
  deepStrictEqual(
    lines.sort(),
    hosts.map(({ name, sshd }) => `${name} ${sshd.hostKey}`).sort(),
  );
});
