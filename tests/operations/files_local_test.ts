import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { assertStartsWith } from "../helpers/assert_text.ts";
import { localHarness } from "../helpers/ops.ts";
import { tempDir } from "../helpers/temp.ts";

const mode = async (path: string) => ((await Deno.lstat(path)).mode! & 0o7777).toString(8);
const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

Deno.test("files.directory creates once, fixes mode, removes, and dry runs change nothing", async (t) => {
  await using dir = await tempDir();
  const h = localHarness();
  const path = dir.join("a b/c");
  await t.step("dry run: what the first run will say", async () => {
    const result = await h.dry("files.directory", path, { mode: "750" });
    deepStrictEqual([result.changed, result.description], [
      true,
      `created ${path}, mode 755 -> 750`,
    ]);
    strictEqual(await exists(path), false);
  });
  await t.step("first run changes", async () => {
    const result = await h.op("files.directory", path, { mode: "750" });
    deepStrictEqual([result.changed, result.description], [
      true,
      `created ${path}, mode 755 -> 750`,
    ]);
    strictEqual(await mode(path), "750");
  });
  await t.step("second run changes nothing", async () => {
    const result = await h.op("files.directory", path, { mode: "0750" });
    deepStrictEqual([result.changed, result.description], [false, `${path} is as wanted`]);
  });
  await t.step("mode drift is fixed", async () => {
    await Deno.chmod(path, 0o700);
    const result = await h.op("files.directory", path, { mode: "750" });
    strictEqual(result.description, "mode 700 -> 750");
    strictEqual(await mode(path), "750");
  });
  await t.step("a file in the way is an error", async () => {
    await Deno.writeTextFile(dir.join("f"), "");
    await rejects(h.op("files.directory", dir.join("f")), {
      name: "OperationError",
      message: new RegExp(
        `exit code 1 \\(general error\\).*\\n.*${dir.join("f")} exists and is not a directory`,
      ),
    });
  });
  await t.step("present false removes", async () => {
    strictEqual((await h.op("files.directory", dir.join("a b"), { present: false })).changed, true);
    strictEqual(await exists(dir.join("a b")), false);
    strictEqual(
      (await h.op("files.directory", dir.join("a b"), { present: false })).changed,
      false,
    );
  });
  await t.step("bad mode is an input error", async () => {
    await rejects(h.op("files.directory", path, { mode: "999" }), {
      name: "InputError",
      message: `mode: expected an octal mode such as "644", got "999"`,
    });
  });
  await t.step("unknown option with a hint", async () => {
    await rejects(h.op("files.directory", path, { mdoe: "755" }), {
      message: `files.directory: unknown option "mdoe" (did you mean "mode"?)`,
    });
  });
});

Deno.test("files.file and files.link are idempotent", async (t) => {
  await using dir = await tempDir();
  const h = localHarness();
  await t.step("file", async () => {
    const path = dir.join("f.txt");
    strictEqual((await h.op("files.file", path, { mode: "600" })).changed, true);
    strictEqual(await mode(path), "600");
    strictEqual((await h.op("files.file", path, { mode: "600" })).changed, false);
    strictEqual((await h.op("files.file", path, { present: false })).changed, true);
    strictEqual(await exists(path), false);
  });
  await t.step("link", async () => {
    const path = dir.join("ln");
    strictEqual(
      (await h.op("files.link", path, "/etc/hostname")).description,
      `created ${path} -> /etc/hostname`,
    );
    strictEqual(await Deno.readLink(path), "/etc/hostname");
    strictEqual((await h.op("files.link", path, "/etc/hostname")).changed, false);
    strictEqual(
      (await h.op("files.link", path, "/etc/hosts")).description,
      "link /etc/hostname -> /etc/hosts",
    );
    strictEqual(await Deno.readLink(path), "/etc/hosts");
  });
});

Deno.test("files.put uploads only when the sha256 differs and fixes mode alone", async (t) => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  const dest = dir.join("conf/app.conf");
  await Deno.writeTextFile(dir.join("local.conf"), "port=1\n");
  await t.step("missing directory fails without createRemoteDir", async () => {
    await rejects(h.op("files.put", { content: "x" }, dest), {
      name: "OperationError",
      message: new RegExp(
        `^Upload to ${dest} on @local failed: .*(No such file or directory|Directory nonexistent)`,
      ),
    });
  });
  const baseline = h.uploads().length;
  await t.step("first run uploads", async () => {
    const result = await h.op("files.put", "local.conf", dest, {
      mode: "640",
      createRemoteDir: true,
    });
    deepStrictEqual([result.changed, result.description], [true, `created ${dest}`]);
    strictEqual(result.diff, `--- /dev/null\n+++ ${dest}\n@@ -0,0 +1,1 @@\n+port=1`);
    strictEqual(await Deno.readTextFile(dest), "port=1\n");
    strictEqual(await mode(dest), "640");
    strictEqual(h.uploads().length, baseline + 1);
  });
  await t.step("identical content uploads nothing", async () => {
    const result = await h.op("files.put", "local.conf", dest, { mode: "640" });
    deepStrictEqual([result.changed, result.description], [false, `${dest} is up to date`]);
    strictEqual(h.uploads().length, baseline + 1);
  });
  await t.step("mode only is fixed without an upload", async () => {
    const result = await h.op("files.put", "local.conf", dest, { mode: "600" });
    deepStrictEqual([result.changed, result.description, result.diff], [
      true,
      "mode 640 -> 600",
      `${dest}: mode 640 -> 600`,
    ]);
    strictEqual(h.uploads().length, baseline + 1);
    strictEqual(await mode(dest), "600");
  });
  await t.step("dry run shows the diff and writes nothing", async () => {
    const result = await h.dry("files.put", { content: "port=2\n" }, dest);
    strictEqual(result.changed, true);
    strictEqual(result.diff, `--- ${dest}\n+++ ${dest}\n@@ -1,1 +1,1 @@\n-port=1\n+port=2`);
    strictEqual(await Deno.readTextFile(dest), "port=1\n");
    strictEqual(h.uploads().length, baseline + 1);
  });
  await t.step("binary content is summarised in the diff", async () => {
    const result = await h.dry("files.put", { content: new Uint8Array([0, 1, 2]) }, dest);
    strictEqual(result.diff, `Binary file ${dest}: 7 bytes -> 3 bytes`);
  });
  await t.step("an update keeps the existing mode", async () => {
    await h.op("files.put", { content: "port=3\n" }, dest);
    strictEqual(await mode(dest), "600");
  });
});

Deno.test("files.get downloads only when the local copy differs", async () => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  await Deno.writeTextFile(dir.join("remote.txt"), "v1\n");
  strictEqual((await h.op("files.get", dir.join("remote.txt"), "copy.txt")).changed, true);
  strictEqual(await Deno.readTextFile(dir.join("copy.txt")), "v1\n");
  strictEqual((await h.op("files.get", dir.join("remote.txt"), "copy.txt")).changed, false);
});

Deno.test("files.line edits real files: missing file, no trailing newline, regex characters, repeats", async (t) => {
  await using dir = await tempDir();
  const h = localHarness();
  const path = dir.join("app.conf");
  await t.step("missing file is an error unless create", async () => {
    await rejects(h.op("files.line", path, "a=1"), {
      message: `files.line: ${path} does not exist on @local (pass create: true to create it)`,
    });
    strictEqual(
      (await h.op("files.line", path, "a=1", { create: true, mode: "644" })).changed,
      true,
    );
    strictEqual(await Deno.readTextFile(path), "a=1\n");
  });
  await t.step("no trailing newline", async () => {
    await Deno.writeTextFile(path, "a=1\r\nb=2");
    const result = await h.op("files.line", path, "c.*=3");
    strictEqual(
      result.diff,
      `--- ${path}\n+++ ${path}\n@@ -1,2 +1,3 @@\n a=1\r\n-b=2\n\\ No newline at end of file\n+b=2\n+c.*=3`,
    );
    strictEqual(await Deno.readTextFile(path), "a=1\r\nb=2\nc.*=3\n");
  });
  await t.step("repeated runs change nothing", async () => {
    for (let i = 0; i < 3; i++) {
      strictEqual((await h.op("files.line", path, "c.*=3")).changed, false);
    }
  });
  await t.step("match replaces", async () => {
    strictEqual((await h.op("files.line", path, "b=9", { match: "^b=" })).changed, true);
    strictEqual(await Deno.readTextFile(path), "a=1\r\nb=9\nc.*=3\n");
    strictEqual((await h.op("files.line", path, "b=9", { match: "^b=" })).changed, false);
  });
  await t.step("invalid regex is an input error", async () => {
    await rejects(h.op("files.line", path, "x", { match: "(" }), {
      name: "InputError",
      message:
        'files.line match: invalid regular expression "(": Invalid regular expression: /(/: Unterminated group',
    });
  });
  await t.step("mode and content are kept on edit", async () => {
    await Deno.chmod(path, 0o640);
    await h.op("files.line", path, "d=4");
    strictEqual(await mode(path), "640");
  });
});

Deno.test("files.block manages a marked block", async () => {
  await using dir = await tempDir();
  const h = localHarness();
  const path = dir.join("motd");
  await Deno.writeTextFile(path, "hello\n");
  strictEqual((await h.op("files.block", path, "a\nb")).changed, true);
  strictEqual(
    await Deno.readTextFile(path),
    "hello\n# BEGIN SKIFF MANAGED BLOCK\na\nb\n# END SKIFF MANAGED BLOCK\n",
  );
  strictEqual((await h.op("files.block", path, "a\nb")).changed, false);
  strictEqual((await h.op("files.block", path, "", { present: false })).changed, true);
  strictEqual(await Deno.readTextFile(path), "hello\n");
});

Deno.test("files.sync uploads differing files and deletes extras", async () => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  await Deno.mkdir(dir.join("src/sub"), { recursive: true });
  await Deno.writeTextFile(dir.join("src/a.txt"), "a");
  await Deno.writeTextFile(dir.join("src/sub/b.txt"), "b");
  const dest = dir.join("dest");
  const first = await h.op("files.sync", "src", dest);
  strictEqual(first.description, `created ${dest}/a.txt, created ${dest}/sub/b.txt`);
  strictEqual(await Deno.readTextFile(`${dest}/sub/b.txt`), "b");
  strictEqual((await h.op("files.sync", "src", dest)).changed, false);
  await Deno.writeTextFile(`${dest}/extra.txt`, "x");
  await Deno.writeTextFile(dir.join("src/a.txt"), "a2");
  const third = await h.op("files.sync", "src", dest, { delete: true });
  strictEqual(third.description, `removed ${dest}/extra.txt, updated ${dest}/a.txt`);
  strictEqual(await exists(`${dest}/extra.txt`), false);
  strictEqual(h.commands().filter((c) => c.startsWith("rsync ")).length, 3);
});

Deno.test("files.sync through rsync that fails says why, with rsync's own error", async () => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  await Deno.mkdir(dir.join("src"));
  await Deno.writeTextFile(dir.join("src/a.txt"), "a");
  await Deno.writeTextFile(dir.join("plain"), "");
  const dest = dir.join("plain/dest");
  const error = await h.op("files.sync", "src", dest).then(() => new Error("none"), (e) => e);
  strictEqual(error.name, "OperationError");
  // rsync's last line names its version and source line: only its start is ours to assert.
  assertStartsWith(
    error.message,
    `files.sync: rsync to ${dest} failed on @local:\n` +
      `rsync: [Receiver] ERROR: cannot stat destination "${dest}/": Not a directory (20)\n` +
      "rsync error: errors selecting input/output files, dirs (code 3)",
  );
  deepStrictEqual([...Deno.readDirSync(dir.path)].map((e) => e.name).sort(), ["plain", "src"]);
});

Deno.test("files.sync without rsync (here: under _sudo) compares sha256 per file", async () => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  await Deno.mkdir(dir.join("src/sub"), { recursive: true });
  await Deno.writeTextFile(dir.join("src/a.txt"), "a");
  await Deno.writeTextFile(dir.join("src/sub/b.txt"), "b");
  const dest = dir.join("dest");
  const first = await h.op("files.sync", "src", dest, {}, { _sudo: true });
  strictEqual(first.description, `created ${dest}/a.txt, created ${dest}/sub/b.txt`);
  strictEqual(h.uploads().length, 2);
  const dry = await h.dry("files.sync", "src", dest, {}, { _sudo: true });
  strictEqual(dry.changed, false);
  await Deno.writeTextFile(`${dest}/extra.txt`, "x");
  await Deno.writeTextFile(dir.join("src/a.txt"), "a2");
  const third = await h.op("files.sync", "src", dest, { delete: true }, { _sudo: true });
  strictEqual(third.description, `updated ${dest}/a.txt, removed ${dest}/extra.txt`);
  strictEqual(h.uploads().length, 3);
  strictEqual(h.commands().some((c) => c.startsWith("rsync ")), false);
});

Deno.test("server.shell and server.script run commands; dry runs do not", async () => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  const marker = dir.join("ran");
  const dry = await h.dry("server.shell", [`touch ${marker}`]);
  deepStrictEqual([dry.changed, dry.description], [true, `would run: touch ${marker}`]);
  strictEqual(await exists(marker), false);
  const result = await h.op("server.shell", [`touch ${marker}`, "echo hi"]);
  deepStrictEqual([result.changed, result.stdout, result.description], [
    true,
    "hi",
    "ran 2 commands",
  ]);
  const one = await h.op("server.shell", "echo one");
  strictEqual(one.description, "ran: echo one");
  const dryMany = await h.dry("server.shell", ["true", "false", "true"]);
  strictEqual(dryMany.description, "would run 3 commands");
  const survived = await h.op("server.shell", ["exit 4", "echo after"], {}, {
    _continue_on_error: true,
  });
  deepStrictEqual([survived.description, survived.stdout], [
    "ran 2 commands, failed: exit 4",
    "after",
  ]);
  strictEqual(await exists(marker), true);
  await rejects(h.op("server.shell", "echo bad >&2; exit 3"), {
    name: "OperationError",
    message: "Command failed on @local with exit code 3: echo bad >&2; exit 3\nbad",
  });
  const ignored = await h.op("server.shell", "exit 3", { _ignore_errors: true });
  deepStrictEqual([ignored.success, ignored.changed], [false, false]);
  await Deno.writeTextFile(dir.join("s.sh"), '#!/bin/sh\necho "args:$*"\n');
  const script = await h.op("server.script", "s.sh", { args: ["a b", "c"] });
  strictEqual(script.stdout, "args:a b c");
});
