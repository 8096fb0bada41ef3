import { deepStrictEqual, notStrictEqual, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { runProcess, spawnShell } from "../../lib/process.ts";

/** The filesystem id of a path, as `stat -f` reports it. */
function filesystemOf(path: string): string {
  const out = new Deno.Command("stat", { args: ["-f", "-c", "%i:%T", path] }).outputSync();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("LocalConnector.putFile() stages beside the destination, so it renames within one filesystem", async (t) => {
  // A tmpfs of its own (the tests run as root): a temporary file made in /tmp could not be
  // renamed into it.
  const dir = await Deno.makeTempDir({ prefix: "skiff-xfs-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir],
  }).output();
  strictEqual(mount.success, true, new TextDecoder().decode(mount.stderr));
  notStrictEqual(filesystemOf(dir), filesystemOf("/tmp"));
  const connector = new LocalConnector({ name: "@local", data: {}, groups: ["@local"] }, {
    runProcess,
    spawnShell,
  });
  await connector.connect();
  const leftovers = () =>
    [...Deno.readDirSync(dir), ...Deno.readDirSync("/tmp")].map((e) => e.name).filter((n) =>
      n.includes(".skiff-")
    );
  try {
    await t.step("unprivileged", async () => {
      const ok = await connector.putFile(new TextEncoder().encode("plain\n"), `${dir}/plain.txt`);
      strictEqual(ok, true);
      strictEqual(await Deno.readTextFile(`${dir}/plain.txt`), "plain\n");
      deepStrictEqual(leftovers(), []);
    });
    await t.step("with _sudo (staged)", async () => {
      const ok = await connector.putFile(
        new TextEncoder().encode("staged\n"),
        `${dir}/staged.txt`,
        {
          _sudo: true,
          mode: "640",
        },
      );
      strictEqual(ok, true);
      strictEqual(await Deno.readTextFile(`${dir}/staged.txt`), "staged\n");
      strictEqual((await Deno.stat(`${dir}/staged.txt`)).mode! & 0o777, 0o640);
      deepStrictEqual(leftovers(), []);
    });
  } finally {
    await connector.disconnect();
    await new Deno.Command("umount", { args: [dir] }).output();
    await Deno.remove(dir, { recursive: true });
  }
});
