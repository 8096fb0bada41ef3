/**
 * Fault cases 8 (wrong password), 9 without a terminal (an encrypted key and
 * no passphrase), 10 (a changed host key) and 11 (an unknown host under
 * `ssh_strict_host_key_checking: yes`) through the CLI against a real sshd:
 * exit code, the one message, nothing run on the host, known_hosts untouched,
 * and no secret in the output.
 */

import { strictEqual } from "node:assert/strict";
import { assertExcludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { generateKey, startSshd, TEST_USER, type TestSshd } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

/** The SHA256 fingerprint ssh-keygen prints for a public key file. */
async function fingerprint(publicKey: string): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-l", "-E", "sha256", "-f", publicKey],
  })
    .output();
  strictEqual(out.success, true);
  return new TextDecoder().decode(out.stdout).split(" ")[1];
}

/** A fleet file with one host: the test sshd as the test user, with `data` on top. */
async function fleetFile(
  path: string,
  sshd: TestSshd,
  data: Record<string, string | number | boolean>,
): Promise<string> {
  const lines = Object.entries({
    ssh_hostname: "127.0.0.1",
    ssh_port: sshd.port,
    ssh_user: TEST_USER,
    ssh_allow_agent: false,
    ssh_look_for_keys: false,
    ssh_config_file: "/dev/null",
    // A retry would wait 5 s first: the runs below must end sooner.
    ssh_connect_retries: 1,
    ssh_connect_retry_min_delay: 5,
    ssh_connect_retry_max_delay: 5,
    ...data,
  }).map(([key, value]) =>
    key === "ssh_password" ? `        ${key}: !secret ${value}` : `        ${key}: ${value}`
  );
  await Deno.writeTextFile(path, ["fleet:", "  hosts:", "    box:", ...lines, ""].join("\n"));
  return path;
}

/** Runs `skiff exec FLEET -- touch RAN` and checks it failed at login: exit 1, nothing ran. */
async function refused(fleet: string, ran: string): Promise<string> {
  const started = performance.now();
  const run = await runSkiff(["exec", fleet, "--", `touch ${ran}`]);
  strictEqual(run.code, 1, run.stdout + run.stderr);
  strictEqual(run.stdout, "");
  strictEqual(await Deno.stat(ran).then(() => true, () => false), false, "nothing ran");
  const seconds = (performance.now() - started) / 1000;
  strictEqual(seconds < 5, true, `took ${seconds} s: a login failure is permanent, never retried`);
  return run.stderr;
}

Deno.test("fault 8: a wrong password fails the host at once, naming what was tried, exit 1", async () => {
  await using sshd = await startSshd({ password: true });
  await using dir = await tempDir();
  const wrong = "not-the-pw-3c9e";
  const fleet = await fleetFile(dir.join("fleet.yml"), sshd, {
    ssh_known_hosts_file: sshd.knownHosts,
    ssh_password: wrong,
  });
  const stderr = await refused(fleet, dir.join("ran"));
  strictEqual(
    stderr,
    `[box] could not connect: Authentication failed for ${TEST_USER}@127.0.0.1:${sshd.port}: tried password\n` +
      "0 of 1 hosts succeeded\n",
  );
  assertExcludes(stderr, wrong);
});

Deno.test("fault 9: an encrypted key without its passphrase and no terminal fails naming the key, exit 1", async () => {
  await using dir = await tempDir();
  const key = await generateKey(dir.join("locked_ed25519"), "ed25519", "a-passphrase-1d7f");
  await using sshd = await startSshd({ authorize: [await Deno.readTextFile(`${key}.pub`)] });
  const fleet = await fleetFile(dir.join("fleet.yml"), sshd, {
    ssh_known_hosts_file: sshd.knownHosts,
    ssh_key: key,
  });
  strictEqual(
    await refused(fleet, dir.join("ran")),
    `[box] could not connect: Authentication failed for ${TEST_USER}@127.0.0.1:${sshd.port}: ` +
      `tried none (no key, agent or password was usable); ${key}: the key is encrypted and no usable ssh_key_password was given\n` +
      "0 of 1 hosts succeeded\n",
  );
});

Deno.test("fault 10: a changed host key is refused with the known_hosts line to fix, exit 1", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  const other = await generateKey(dir.join("other_host"));
  const otherLine = (await Deno.readTextFile(`${other}.pub`)).split(" ").slice(0, 2).join(" ");
  const known = dir.join("known_hosts");
  const original = `# ours\n[127.0.0.1]:${sshd.port} ${otherLine}\n`;
  await Deno.writeTextFile(known, original);
  const fleet = await fleetFile(dir.join("fleet.yml"), sshd, {
    ssh_known_hosts_file: known,
    ssh_key: sshd.clientKey,
    // Even "no" never accepts a key that contradicts known_hosts.
    ssh_strict_host_key_checking: "no",
  });
  const offered = await fingerprint(`${sshd.dir}/host_ed25519.pub`);
  const expected = await fingerprint(`${other}.pub`);
  strictEqual(
    await refused(fleet, dir.join("ran")),
    `[box] could not connect: Host key of 127.0.0.1:${sshd.port} has CHANGED: the server offers ${offered} ` +
      `but ${known}:2 expects ${expected}. If the change is expected, remove line 2 of ${known}\n` +
      "0 of 1 hosts succeeded\n",
  );
  strictEqual(await Deno.readTextFile(known), original);
});

Deno.test("fault 11: an unknown host under ssh_strict_host_key_checking yes is refused with its fingerprint, exit 1", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  const known = dir.join("known_hosts");
  const original = "# nothing for this host\n";
  await Deno.writeTextFile(known, original);
  const fleet = await fleetFile(dir.join("fleet.yml"), sshd, {
    ssh_known_hosts_file: known,
    ssh_key: sshd.clientKey,
    ssh_strict_host_key_checking: "yes",
  });
  const offered = await fingerprint(`${sshd.dir}/host_ed25519.pub`);
  strictEqual(
    await refused(fleet, dir.join("ran")),
    `[box] could not connect: Host key of 127.0.0.1:${sshd.port} is not in ${known} and ` +
      `ssh_strict_host_key_checking is yes: its fingerprint is ${offered}\n` +
      "0 of 1 hosts succeeded\n",
  );
  strictEqual(await Deno.readTextFile(known), original);
});
