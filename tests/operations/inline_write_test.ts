/**
 * Small files are written by one command in the persistent shell, not by
 * an upload: files.line, files.block, files.template and files.put of small
 * content take one command to check and one to write, over a real sshd.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { FileSource, PutOptions, RunOptions } from "../../connectors/base.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import type { Command } from "../../lib/core/command.ts";
import { INLINE_WRITE_LIMIT, inlineWriteCommand } from "../../lib/operations/_inline_write.ts";
import { runProcess } from "../../lib/process.ts";
import { connectorHarness } from "../helpers/ops.ts";
import { sshHostData, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

/** An SSH connector that lists what reaches the host: commands and uploads. */
class CountingSsh extends SshConnector {
  readonly seen: string[] = [];
  override runShellCommand(command: Command | string, options?: RunOptions) {
    this.seen.push("command");
    return super.runShellCommand(command, options);
  }
  override putFile(source: FileSource, remotePath: string, options?: PutOptions) {
    this.seen.push("upload");
    return super.putFile(source, remotePath, options);
  }
  take(): string[] {
    return this.seen.splice(0);
  }
}

Deno.test("inlineWriteCommand() takes small text only, and only where a secret can travel", async (t) => {
  const text = new TextEncoder().encode("a\n");
  await t.step("unprivileged and _sudo: one command", () => {
    strictEqual(inlineWriteCommand("/srv/a", text, {}, {}) !== undefined, true);
    strictEqual(inlineWriteCommand("/srv/a", text, {}, { _sudo: true }) !== undefined, true);
  });
  await t.step("_doas, a login shell or a pty cannot carry the content: undefined", () => {
    strictEqual(inlineWriteCommand("/srv/a", text, {}, { _doas: true }), undefined);
    strictEqual(
      inlineWriteCommand("/srv/a", text, {}, { _sudo: true, _use_sudo_login: true }),
      undefined,
    );
    strictEqual(inlineWriteCommand("/srv/a", text, {}, { _get_pty: true }), undefined);
  });
  await t.step("too large, a NUL byte, or not UTF-8: undefined", () => {
    const limit = new Uint8Array(INLINE_WRITE_LIMIT).fill(97);
    strictEqual(inlineWriteCommand("/srv/a", limit, {}, {}) !== undefined, true);
    strictEqual(
      inlineWriteCommand("/srv/a", new Uint8Array(INLINE_WRITE_LIMIT + 1).fill(97), {}, {}),
      undefined,
    );
    strictEqual(inlineWriteCommand("/srv/a", new Uint8Array([97, 0, 98]), {}, {}), undefined);
    strictEqual(inlineWriteCommand("/srv/a", new Uint8Array([0xff, 0xfe]), {}, {}), undefined);
  });
  await t.step("the content is a secret bit: never in the text people see", () => {
    const command = inlineWriteCommand("/srv/a", new TextEncoder().encode("pw=hunter2\n"), {
      mode: "600",
      owner: "app",
      createRemoteDir: true,
    }, {})!;
    strictEqual(command.renderMasked().includes("hunter2"), false);
    deepStrictEqual(command.secrets, ["pw=hunter2\n"]);
    strictEqual(command.renderMasked().startsWith("mkdir -p -- /srv && printf '%s' *** | "), true);
  });
});

Deno.test("small file writes over @ssh: one command to check, one to write, no upload", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  await Deno.writeTextFile(dir.join("motd.j2"), "{{ greeting }} 'quoted' $HOME `x` \\n %s\n");
  const host = { name: `@ssh/${TEST_USER}@127.0.0.1`, data: sshHostData(sshd), groups: [] };
  const connector = new CountingSsh(host, { runProcess });
  const h = connectorHarness(host, connector, dir.path);
  await h.session.connect();
  try {
    connector.take();
    const conf = dir.join("app.conf");
    await t.step("files.line creating a file", async () => {
      const result = await h.op("files.line", conf, "workers=4", { create: true });
      strictEqual(result.description, `created ${conf}`);
      deepStrictEqual(connector.take(), ["command", "command"]);
      strictEqual(await Deno.readTextFile(conf), "workers=4\n");
      strictEqual(((await Deno.stat(conf)).mode! & 0o777).toString(8), "644");
    });
    await t.step("files.line rewriting it keeps its mode", async () => {
      await Deno.chmod(conf, 0o640);
      const result = await h.op("files.line", conf, "workers=8", { match: /^workers=/ });
      strictEqual(result.description, `edited ${conf}`);
      deepStrictEqual(connector.take(), ["command", "command"]);
      strictEqual(await Deno.readTextFile(conf), "workers=8\n");
      strictEqual(((await Deno.stat(conf)).mode! & 0o777).toString(8), "640");
    });
    await t.step("files.line with nothing to change: one command", async () => {
      const result = await h.op("files.line", conf, "workers=8", { match: /^workers=/ });
      strictEqual(result.changed, false);
      deepStrictEqual(connector.take(), ["command"]);
    });
    await t.step("files.block creating a file, with a mode", async () => {
      const path = dir.join("block.conf");
      await h.op("files.block", path, "a\nb", { create: true, mode: "600" });
      deepStrictEqual(connector.take(), ["command", "command"]);
      strictEqual(
        await Deno.readTextFile(path),
        "# BEGIN SKIFF MANAGED BLOCK\na\nb\n# END SKIFF MANAGED BLOCK\n",
      );
      strictEqual(((await Deno.stat(path)).mode! & 0o777).toString(8), "600");
    });
    const motd = dir.join("sub/motd");
    await t.step("files.template creating a file in a new directory", async () => {
      await h.op("files.template", "motd.j2", motd, {
        data: { greeting: "hi" },
        createRemoteDir: true,
      });
      deepStrictEqual(connector.take(), ["command", "command"]);
      strictEqual(await Deno.readTextFile(motd), "hi 'quoted' $HOME `x` \\n %s\n");
    });
    await t.step("files.template unchanged: one command", async () => {
      const result = await h.op("files.template", "motd.j2", motd, { data: { greeting: "hi" } });
      strictEqual(result.changed, false);
      deepStrictEqual(connector.take(), ["command"]);
    });
    await t.step("files.put of content without a trailing newline, exactly", async () => {
      const path = dir.join("exact");
      await h.op("files.put", { content: "no newline\r\n\ttab" }, path);
      deepStrictEqual(connector.take(), ["command", "command"]);
      strictEqual(await Deno.readTextFile(path), "no newline\r\n\ttab");
    });
    await t.step("a file of binary bytes is uploaded", async () => {
      const path = dir.join("binary");
      await h.op("files.put", { content: new Uint8Array([0, 1, 2, 255]) }, path);
      deepStrictEqual(connector.take(), ["command", "upload"]);
      deepStrictEqual([...await Deno.readFile(path)], [0, 1, 2, 255]);
    });
    await t.step("the content is not masked in later output", async () => {
      await h.op("files.put", { content: "yes" }, dir.join("yes"));
      const result = await h.op("server.shell", "echo yes");
      strictEqual(result.stdout, "yes");
    });
    await t.step("a failed write names the path and the reason", async () => {
      const path = dir.join("missing/dir/f");
      let message = "";
      await h.op("files.put", { content: "x" }, path).catch((error) => message = error.message);
      strictEqual(
        new RegExp(`^Upload to ${path} on ${host.name} failed: .*(No such file|nonexistent)`)
          .test(message),
        true,
        message,
      );
    });
    const left = [...Deno.readDirSync(dir.path)].map((e) => e.name).filter((n) =>
      n.startsWith(".")
    );
    deepStrictEqual(left, [], "no temporary file left");
  } finally {
    await h.session.disconnect();
  }
});
