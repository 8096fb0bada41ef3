import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { stagedMoveCommand, stagedUpload } from "../../connectors/_staged_upload.ts";
import type { CommandResult, PutOptions } from "../../connectors/base.ts";
import type { Command } from "../../lib/core/command.ts";
import { CommandOutput } from "../../lib/core/output.ts";
import { runProcess } from "../../lib/process.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("stagedMoveCommand() makes a private file, sets mode and owner through its descriptor, renames, and removes it on failure", async (t) => {
  const temp = "/etc/.motd.skiff-1";
  await t.step("from a file the command reads itself, with a mode", () => {
    strictEqual(
      stagedMoveCommand("/etc/motd", { temp, from: "/srv/app conf", chmod: "640" }).render(),
      "( umask 077 && set -C && " +
        "{ ! [ -e /etc/.motd.skiff-1 ] && ! [ -L /etc/.motd.skiff-1 ] || " +
        "{ echo /etc/.motd.skiff-1': something is already at the temporary name' >&2; exit 1; }; } && " +
        "exec 7>/etc/.motd.skiff-1 && set +C && " +
        'f=/proc/self/fd/7 h= && { [ -e "$f" ] || f=/etc/.motd.skiff-1 h=-h; } && ' +
        '{ [ -f "$f" ] && ! { [ -n "$h" ] && [ -L "$f" ]; } || ' +
        "{ echo /etc/.motd.skiff-1': not a regular file: refusing to write through a link' >&2; exit 1; }; } && " +
        `if [ -n "$h" ]; then cat -- '/srv/app conf' >&7; else cp -- '/srv/app conf' "$f"; fi && ` +
        'chmod -- 640 "$f" ) && mv -f -- /etc/.motd.skiff-1 /etc/motd || ' +
        "{ rm -f -- /etc/.motd.skiff-1; exit 1; }",
    );
  });
  await t.step("from stdin, counting the bytes", () => {
    strictEqual(
      stagedMoveCommand("/etc/motd", { temp, from: "stdin", size: 1234, chmod: "600" }).render(),
      "( umask 077 && set -C && " +
        "{ ! [ -e /etc/.motd.skiff-1 ] && ! [ -L /etc/.motd.skiff-1 ] || " +
        "{ echo /etc/.motd.skiff-1': something is already at the temporary name' >&2; exit 1; }; } && " +
        "exec 7>/etc/.motd.skiff-1 && set +C && " +
        'f=/proc/self/fd/7 h= && { [ -e "$f" ] || f=/etc/.motd.skiff-1 h=-h; } && ' +
        '{ [ -f "$f" ] && ! { [ -n "$h" ] && [ -L "$f" ]; } || ' +
        "{ echo /etc/.motd.skiff-1': not a regular file: refusing to write through a link' >&2; exit 1; }; } && " +
        'cat >&7 && { [ "$(stat -L -c %s -- "$f")" = 1234 ] || ' +
        "{ echo 'the upload ended early: expected 1234 bytes' >&2; false; }; } && " +
        'chmod -- 600 "$f" ) && mv -f -- /etc/.motd.skiff-1 /etc/motd || ' +
        "{ rm -f -- /etc/.motd.skiff-1; exit 1; }",
    );
  });
  await t.step("from stdin, with an owner and without a mode", () => {
    strictEqual(
      stagedMoveCommand("/etc/my motd", {
        temp: "/etc/.my motd.t",
        from: "stdin",
        owner: "web:www",
      })
        .render(),
      "( umask 077 && set -C && { ! [ -e '/etc/.my motd.t' ] && ! [ -L '/etc/.my motd.t' ] || " +
        "{ echo '/etc/.my motd.t'': something is already at the temporary name' >&2; exit 1; }; } && " +
        "exec 7>'/etc/.my motd.t' && set +C && " +
        `f=/proc/self/fd/7 h= && { [ -e "$f" ] || f='/etc/.my motd.t' h=-h; } && ` +
        '{ [ -f "$f" ] && ! { [ -n "$h" ] && [ -L "$f" ]; } || ' +
        "{ echo '/etc/.my motd.t'': not a regular file: refusing to write through a link' >&2; exit 1; }; } && " +
        'cat >&7 && chown $h -- web:www "$f" && ' +
        "{ m=$(stat -c %F:%a -- '/etc/my motd' 2>/dev/null); case $m in 'regular file:'*) " +
        'm=${m#*:};; *) m=644;; esac; chmod -- "$m" "$f"; } ) && ' +
        "mv -f -- '/etc/.my motd.t' '/etc/my motd' || { rm -f -- '/etc/.my motd.t'; exit 1; }",
    );
  });
  await t.step("staged in place, keeping the replaced regular file's mode", () => {
    strictEqual(
      stagedMoveCommand("/etc/motd", { temp, keepMode: true }).render(),
      "f=/etc/.motd.skiff-1 h=-h && { m=$(stat -c %F:%a -- /etc/motd 2>/dev/null); " +
        "case $m in 'regular file:'*) chmod -- ${m#*:} \"$f\" 2>/dev/null;; esac; :; } && " +
        "mv -f -- /etc/.motd.skiff-1 /etc/motd",
    );
  });
  await t.step("staged in place, with a mode and a group", () => {
    strictEqual(
      stagedMoveCommand("/etc/motd", { temp, chmod: "600", owner: ":adm" }).render(),
      'f=/etc/.motd.skiff-1 h=-h && chown $h -- :adm "$f" && chmod -- 600 "$f" && ' +
        "mv -f -- /etc/.motd.skiff-1 /etc/motd",
    );
  });
  await t.step(
    "in sh: mode 644 for a new file, the mode of a replaced file, 644 over a link",
    async () => {
      await using dir = await tempDir();
      const put = async (name: string, content: string) => {
        const command = stagedMoveCommand(dir.join(name), {
          temp: dir.join(`.${name}.t`),
          from: "stdin",
        });
        const result = await runProcess(["sh", "-c", command.render()], { stdin: content });
        strictEqual(result.exitCode, 0, result.output.stderr);
        const info = await Deno.lstat(dir.join(name));
        return [
          info.isFile,
          (info.mode! & 0o7777).toString(8),
          await Deno.readTextFile(dir.join(name)),
        ];
      };
      deepStrictEqual(await put("new", "a\n"), [true, "644", "a\n"]);
      await Deno.chmod(dir.join("new"), 0o600);
      deepStrictEqual(await put("new", "b\n"), [true, "600", "b\n"]);
      await Deno.symlink(dir.join("new"), dir.join("link"));
      deepStrictEqual(await put("link", "c\n"), [true, "644", "c\n"]);
      strictEqual(await Deno.readTextFile(dir.join("new")), "b\n");
    },
  );
  await t.step("in sh: a link planted at the temporary name is never followed", async () => {
    await using dir = await tempDir();
    await Deno.symlink(dir.join("victim"), dir.join(".f.t"));
    const command = stagedMoveCommand(dir.join("f"), { temp: dir.join(".f.t"), from: "stdin" });
    const result = await runProcess(["sh", "-c", command.render()], { stdin: "x\n" });
    strictEqual(result.exitCode, 1);
    strictEqual(await Deno.lstat(dir.join("victim")).then(() => true, () => false), false);
  });
  await t.step(
    "in sh: with drainOnRefusal a refusal reads stdin to its end first, and only then",
    async () => {
      await using dir = await tempDir();
      await Deno.writeTextFile(dir.join("stdin"), "payload\n");
      // The file's offset is shared: what the move left unread, the `cat` after it prints.
      const leftAfter = async (drainOnRefusal: boolean) => {
        // The failed move removes what is at the temporary name: plant it each time.
        await Deno.symlink(dir.join("victim"), dir.join(".f.t"));
        const command = stagedMoveCommand(dir.join("f"), {
          temp: dir.join(".f.t"),
          from: "stdin",
          drainOnRefusal,
        });
        const result = await runProcess([
          "sh",
          "-c",
          `{ ( ${command.render()} ); echo "exit $?"; cat; } <"$1"`,
          "sh",
          dir.join("stdin"),
        ]);
        return [result.output.stdout, result.output.stderr];
      };
      const reason = `${dir.join(".f.t")}: something is already at the temporary name`;
      deepStrictEqual(await leftAfter(true), ["exit 1", reason]);
      deepStrictEqual(await leftAfter(false), ["exit 1\npayload", reason]);
    },
  );
  await t.step("in sh: a cut-off stdin never lands; the exact count does", async () => {
    await using dir = await tempDir();
    const put = async (content: string, size: number) => {
      const command = stagedMoveCommand(dir.join("f"), {
        temp: dir.join(".f.t"),
        from: "stdin",
        size,
      });
      return await runProcess(["sh", "-c", command.render()], { stdin: content });
    };
    const short = await put("abc", 4);
    deepStrictEqual(
      [short.exitCode, short.output.stderr, [...Deno.readDirSync(dir.path)].length],
      [1, "the upload ended early: expected 4 bytes", 0],
    );
    strictEqual((await put("abcde", 4)).exitCode, 1);
    strictEqual([...Deno.readDirSync(dir.path)].length, 0);
    strictEqual((await put("abcd", 4)).exitCode, 0);
    strictEqual(await Deno.readTextFile(dir.join("f")), "abcd");
  });
  await t.step(
    "in sh: a file read by the command itself, with cp through the descriptor",
    async () => {
      await using dir = await tempDir();
      await Deno.writeTextFile(dir.join("src"), "from a file\n");
      const command = stagedMoveCommand(dir.join("f"), {
        temp: dir.join(".f.t"),
        from: dir.join("src"),
        chmod: "640",
      });
      const result = await runProcess(["sh", "-c", command.render()]);
      strictEqual(result.exitCode, 0, result.output.stderr);
      const info = await Deno.lstat(dir.join("f"));
      deepStrictEqual(
        [(info.mode! & 0o7777).toString(8), await Deno.readTextFile(dir.join("f"))],
        ["640", "from a file\n"],
      );
      deepStrictEqual([...Deno.readDirSync(dir.path)].map((e) => e.name).sort(), ["f", "src"]);
    },
  );
  await t.step(
    "in sh: nor a link to a device, which `set -C` alone would open (and chown)",
    async () => {
      await using dir = await tempDir();
      // A copy of the null device, root's and 0600: the owner and mode it must keep.
      const made = await runProcess(["mknod", "-m", "600", dir.join("device"), "c", "1", "3"]);
      strictEqual(made.exitCode, 0, made.output.stderr);
      await Deno.symlink(dir.join("device"), dir.join(".f.t"));
      const command = stagedMoveCommand(dir.join("f"), {
        temp: dir.join(".f.t"),
        from: "stdin",
        chmod: "644",
        owner: "nobody",
      });
      const result = await runProcess(["sh", "-c", command.render()], { stdin: "secret\n" });
      deepStrictEqual([result.exitCode, result.output.stderr], [
        1,
        `${dir.join(".f.t")}: something is already at the temporary name`,
      ]);
      const device = await Deno.lstat(dir.join("device"));
      deepStrictEqual([device.uid, (device.mode! & 0o7777).toString(8)], [0, "600"]);
      strictEqual(await Deno.lstat(dir.join("f")).then(() => true, () => false), false);
      // Planted between the check and the open: what was opened is checked before any write.
      // (The failure removed the link; plant it again.)
      await Deno.symlink(dir.join("device"), dir.join(".f.t"));
      const late = stagedMoveCommand(dir.join("f"), {
        temp: dir.join(".f.t"),
        from: "stdin",
        owner: "nobody",
      }).render().replace(/\{ ! \[ -e .*? something is already .*?exit 1; \}; \} && /, "");
      strictEqual(late.includes("something is already"), false);
      const raced = await runProcess(["sh", "-c", late], { stdin: "secret\n" });
      deepStrictEqual([raced.exitCode, raced.output.stderr], [
        1,
        `${dir.join(".f.t")}: not a regular file: refusing to write through a link`,
      ]);
      const after = await Deno.lstat(dir.join("device"));
      deepStrictEqual([after.uid, (after.mode! & 0o7777).toString(8)], [0, "600"]);
    },
  );
});

Deno.test("stagedUpload() killed mid-way (Ctrl-C) removes its temporary file under the same rights", async () => {
  await using dir = await tempDir();
  const dest = dir.join("dest.bin");
  const controller = new AbortController();
  const seen: { command: string; signal: boolean; sudo: unknown }[] = [];
  // A real sh runs each command; the upload is killed once its temporary file exists.
  const run = async (command: Command, options: PutOptions): Promise<CommandResult> => {
    seen.push({
      command: command.render(),
      signal: options.signal !== undefined,
      sudo: options._sudo,
    });
    const child = new Deno.Command("sh", { args: ["-c", command.render()], stdin: "piped" })
      .spawn();
    const writer = child.stdin.getWriter();
    if ((options as { openStdin?: unknown }).openStdin !== undefined) {
      await writer.write(new Uint8Array(1024));
      while ([...Deno.readDirSync(dir.path)].length === 0) {
        await new Promise((r) => setTimeout(r, 5));
      }
      controller.abort();
      child.kill("SIGKILL");
    }
    await writer.close().catch(() => {});
    const status = await child.status;
    return { success: status.success, exitCode: status.code, output: new CommandOutput() };
  };
  await rejects(
    stagedUpload(new Uint8Array(4096), dest, {
      put: { signal: controller.signal, _sudo: false },
      run,
    }),
    { name: "OperationError", message: `Could not move the upload into "${dest}": exit code 137` },
  );
  deepStrictEqual([...Deno.readDirSync(dir.path)], [], "nothing left");
  deepStrictEqual(seen.map(({ signal, sudo }) => [signal, sudo]), [[true, false], [false, false]]);
  strictEqual(seen[1].command.startsWith("rm -f -- "), true, seen[1].command);
});
