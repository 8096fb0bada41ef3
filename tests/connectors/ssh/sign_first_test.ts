/**
 * Logging in with a key file takes one request per key: skiff signs in the
 * first request instead of asking the server first whether it would take
 * the key (counted in sshd's own log).
 */

import { strictEqual } from "node:assert/strict";
import { SshConnector } from "../../../connectors/ssh/connector.ts";
import { runProcess } from "../../../lib/process.ts";
import { generateKey, sshHostData, startSshd, TEST_USER } from "../../helpers/sshd.ts";
import { tempDir } from "../../helpers/temp.ts";

/** Connects with `data` over the sshd's own, runs `id -un`, and counts sshd's login requests. */
async function login(
  sshd: Awaited<ReturnType<typeof startSshd>>,
  data: Record<string, unknown>,
): Promise<{ user: string; requests: number; postponed: number }> {
  const before = sshd.log();
  const connector = new SshConnector({
    name: "@ssh/auth",
    data: { ...sshHostData(sshd), ...data },
    groups: [],
  }, { runProcess });
  await connector.connect();
  const user = (await connector.runShellCommand("id -un")).output.stdout;
  await connector.disconnect();
  const log = sshd.log().slice(before.length);
  return {
    user,
    requests: log.match(/userauth-request for user/g)?.length ?? 0,
    postponed: log.match(/Postponed publickey/g)?.length ?? 0,
  };
}

Deno.test("a key file's key signs its first request: no query round before it", async (t) => {
  await using dir = await tempDir();
  const rsa = await generateKey(dir.join("id_rsa"), "rsa");
  const stranger = await generateKey(dir.join("stranger"));
  await using sshd = await startSshd({
    logLevel: "DEBUG1",
    authorize: [await Deno.readTextFile(`${rsa}.pub`)],
  });
  await t.step("ed25519: one request", async () => {
    const result = await login(sshd, {});
    strictEqual(
      JSON.stringify(result),
      JSON.stringify({ user: TEST_USER, requests: 1, postponed: 0 }),
    );
  });
  await t.step("RSA (rsa-sha2-*): one request", async () => {
    const result = await login(sshd, { ssh_key: rsa });
    strictEqual(
      JSON.stringify(result),
      JSON.stringify({ user: TEST_USER, requests: 1, postponed: 0 }),
    );
  });
  await t.step("a key the server refuses, then one it takes: two requests", async () => {
    const config = dir.join("ssh_config");
    await Deno.writeTextFile(config, `Host *\n  IdentityFile ${sshd.clientKey}\n`);
    const result = await login(sshd, { ssh_key: stranger, ssh_config_file: config });
    strictEqual(
      JSON.stringify(result),
      JSON.stringify({ user: TEST_USER, requests: 2, postponed: 0 }),
    );
  });
});
