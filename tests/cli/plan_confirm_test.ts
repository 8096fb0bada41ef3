import { strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { skiffInTerminal } from "../helpers/terminal.ts";
import { sshFleet } from "../helpers/ssh_fleet.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("the confirm prompt applies what it showed: a target that changed before the answer stops with drift", async () => {
  await using fleet = await sshFleet(1, ["web1"]);
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const root = dir.join("web1");
  await Deno.mkdir(root, { mode: 0o777 });
  await Deno.chmod(root, 0o777);
  await Deno.writeTextFile(`${root}/app.conf`, "name=app\nlisten=8080\n");
  await Deno.chmod(`${root}/app.conf`, 0o666);
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `export default async function ({ host, ops }) {
  await ops.files.directory(host.data.app_root + "/conf.d");
  await ops.files.line(host.data.app_root + "/app.conf", "listen=8080");
  await ops.files.put({ content: "x=1\\n" }, host.data.app_root + "/conf.d/x.conf");
}
`,
  );
  const path = await fleet.write(dir.path, "", () => ({ app_root: root }));
  // A real terminal: without -y skiff shows a dry run and asks.
  const terminal = skiffInTerminal(["deploy", path, dir.join("deploy.ts")]);
  await terminal.waitFor("Apply 2 change(s)? [y/N]");
  assertIncludes(
    terminal.text,
    `[web1] files.directory ${root}/conf.d: would change (created ${root}/conf.d)\n`,
  );
  assertExcludes(terminal.text, "app.conf: would change");
  // Between the preview and the answer, someone else takes the line out.
  await Deno.writeTextFile(`${root}/app.conf`, "name=app\n");
  await terminal.type("y\r");
  const seen = await terminal.finish();
  strictEqual(seen.code, 1, seen.text);
  const answered = seen.text.slice(seen.text.indexOf("Apply 2 change(s)? [y/N]"));
  assertIncludes(
    answered,
    `\n[web1] drift on web1: files.line ${root}/app.conf was planned as no change, now would change\n`,
  );
  assertExcludes(answered, "x.conf: changed");
  // The operation before the drift ran; nothing of it or after it did.
  strictEqual(await Deno.readTextFile(`${root}/app.conf`), "name=app\n");
  strictEqual((await Deno.stat(`${root}/conf.d`)).isDirectory, true);
  strictEqual(await Deno.stat(`${root}/conf.d/x.conf`).then(() => true, () => false), false);
});
