import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { localHarness } from "../helpers/ops.ts";

const sh = async (script: string) =>
  new TextDecoder().decode((await new Deno.Command("sh", { args: ["-c", script] }).output()).stdout)
    .trim();
const suffix = crypto.randomUUID().slice(0, 6);

Deno.test("server.group and server.user create, change, and remove throwaway accounts on @local", async (t) => {
  const group = `skg${suffix}`;
  const extra = `skx${suffix}`;
  const user = `sku${suffix}`;
  const home = `/tmp/skiff-home-${suffix}`;
  const h = localHarness();
  try {
    await t.step("group: dry run, create once, gid change", async () => {
      strictEqual(
        (await h.dry("server.group", group)).description,
        `created group ${group}`,
      );
      strictEqual(await sh(`getent group ${group} || true`), "");
      strictEqual(
        (await h.op("server.group", group, { gid: 43210 })).description,
        `created group ${group}`,
      );
      strictEqual(await sh(`getent group ${group}`), `${group}:x:43210:`);
      strictEqual((await h.op("server.group", group, { gid: 43210 })).changed, false);
      strictEqual(
        (await h.op("server.group", group, { gid: 43211 })).description,
        `group ${group}: gid 43210 -> 43211`,
      );
      strictEqual((await h.op("server.group", extra, { system: true })).changed, true);
    });
    const keys = [
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkey1 one@example",
      "ssh-ed25519 AAAAkey2 two@example",
    ];
    const wanted = { home, shell: "/bin/sh", group, groups: [extra], publicKeys: keys };
    await t.step("user: first run creates it with exact keys", async () => {
      const dry = await h.dry("server.user", user, wanted);
      strictEqual(dry.changed, true);
      strictEqual(await sh(`getent passwd ${user} || true`), "");
      const result = await h.op("server.user", user, wanted);
      strictEqual(result.changed, true);
      strictEqual(
        result.description.startsWith(`created user ${user}, created ${home}/.ssh`),
        true,
        result.description,
      );
      strictEqual(await sh(`getent passwd ${user} | cut -d: -f6,7`), `${home}:/bin/sh`);
      strictEqual(await sh(`id -gn ${user}; id -Gn ${user}`), `${group}\n${group} ${extra}`);
      strictEqual(await Deno.readTextFile(`${home}/.ssh/authorized_keys`), keys.join("\n") + "\n");
      strictEqual(
        await sh(`stat -c '%a %U %G' ${home}/.ssh ${home}/.ssh/authorized_keys`),
        `700 ${user} ${group}\n600 ${user} ${group}`,
      );
    });
    await t.step("second run changes nothing", async () => {
      const result = await h.op("server.user", user, wanted);
      deepStrictEqual([result.changed, result.description], [false, `user ${user} is as wanted`]);
    });
    await t.step("drift is put back exactly (a new run, so facts are fresh)", async () => {
      await Deno.writeTextFile(`${home}/.ssh/authorized_keys`, "ssh-rsa stranger\n", {
        append: true,
      });
      await sh(`usermod -s /bin/bash -G '' ${user}`);
      const run2 = localHarness();
      const result = await run2.op("server.user", user, wanted);
      strictEqual(
        result.description,
        `user ${user}: shell /bin/bash -> /bin/sh, groups (none) -> ${extra}, updated ${home}/.ssh/authorized_keys`,
      );
      strictEqual(await Deno.readTextFile(`${home}/.ssh/authorized_keys`), keys.join("\n") + "\n");
      strictEqual((await run2.op("server.user", user, wanted)).changed, false);
    });
    await t.step("a missing group is a clear error", async () => {
      await rejects(h.op("server.user", user, { groups: ["nope-no-such-group"] }), {
        name: "OperationError",
        message:
          'server.user: group "nope-no-such-group" does not exist on @local: create it first with server.group',
      });
    });
    await t.step("present false removes the user and the groups", async () => {
      strictEqual(
        (await h.op("server.user", user, { present: false })).description,
        `removed user ${user}`,
      );
      strictEqual(await sh(`getent passwd ${user} || true`), "");
      strictEqual((await h.op("server.user", user, { present: false })).changed, false);
      strictEqual((await h.op("server.group", group, { present: false })).changed, true);
      strictEqual((await h.op("server.group", group, { present: false })).changed, false);
    });
  } finally {
    await sh(
      `userdel ${user} 2>/dev/null; groupdel ${group} 2>/dev/null; groupdel ${extra} 2>/dev/null; rm -rf ${home}; true`,
    );
  }
});
