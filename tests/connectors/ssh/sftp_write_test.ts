/**
 * sftpWriteNew() against a real sftp-server: exact content and mode, every
 * request after the open sent before the first answer comes back (one
 * round trip for up to 2 MiB), and a failed write reported after the
 * handle is closed.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import ssh2 from "ssh2";
import type { SFTPWrapper } from "ssh2";
import { sftpWriteNew, WRITE_CHUNK } from "../../../connectors/ssh/_sftp_write.ts";
import { startSshd, TEST_USER, type TestSshd } from "../../helpers/sshd.ts";
import { randomBytes, sha256Hex, tempDir } from "../../helpers/temp.ts";

/** An ssh2 client logged in to `sshd` with its SFTP session; disposing ends it. */
async function sftpTo(sshd: TestSshd): Promise<{ sftp: SFTPWrapper } & AsyncDisposable> {
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve()).once("error", reject);
    client.connect({
      host: "127.0.0.1",
      port: sshd.port,
      username: TEST_USER,
      privateKey: Deno.readTextFileSync(sshd.clientKey),
      hostVerifier: () => true,
    });
  });
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
    client.sftp((error, sftp) => error ? reject(error) : resolve(sftp))
  );
  return {
    sftp,
    [Symbol.asyncDispose]: () => {
      client.end();
      return Promise.resolve();
    },
  };
}

/**
 * The real session with its requests and answers recorded in order
 * (`open`, `write 0`, …, `answer write 0`); `failWrite` answers that write
 * with an error instead of the server's status.
 */
function recorded(sftp: SFTPWrapper, options: { failWrite?: number } = {}) {
  const log: string[] = [];
  let writes = 0;
  const wrap = (name: "open" | "write" | "fchmod" | "close") => {
    const original = (sftp[name] as (...args: unknown[]) => unknown).bind(sftp);
    return (...args: unknown[]) => {
      const label = name === "write" ? `write ${writes++}` : name;
      log.push(label);
      const done = args.pop() as (error?: Error, value?: unknown) => void;
      return original(...args, (error?: Error, value?: unknown) => {
        log.push(`answer ${label}`);
        if (label === `write ${options.failWrite}`) return done(new Error("No space left"));
        done(error, value);
      });
    };
  };
  const proxy = Object.create(sftp) as SFTPWrapper;
  for (const name of ["open", "write", "fchmod", "close"] as const) {
    Object.defineProperty(proxy, name, { value: wrap(name) });
  }
  return { sftp: proxy, log };
}

function streamOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + piece));
      offset += piece;
    },
  });
}

Deno.test("sftpWriteNew() writes exactly, sets the mode, and sends every request in one flight", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  await using session = await sftpTo(sshd);
  await t.step(
    "1 MiB + 1 byte in 100 000-byte pieces: 21 writes of at most 64 KiB, then mode and close",
    async () => {
      const bytes = randomBytes(1024 * 1024 + 1);
      const { sftp, log } = recorded(session.sftp);
      const path = dir.join("big");
      await sftpWriteNew(sftp, path, streamOf(bytes, 100_000), { mode: 0o640 });
      strictEqual(await sha256Hex(await Deno.readFile(path)), await sha256Hex(bytes));
      strictEqual(((await Deno.stat(path)).mode! & 0o777).toString(8), "640");
      // Ten pieces of 100 000 bytes (64 KiB + 34 464 each) and one of 48 577.
      const writes = 21;
      strictEqual(WRITE_CHUNK, 65536);
      strictEqual(log.filter((entry) => entry.startsWith("write ")).length, writes);
      // The open waits for its handle; everything after it leaves before any answer.
      const requests = Array.from({ length: writes }, (_, i) => `write ${i}`);
      deepStrictEqual(log.slice(0, writes + 4), [
        "open",
        "answer open",
        ...requests,
        "fchmod",
        "close",
      ]);
      deepStrictEqual(log.slice(-2), ["answer fchmod", "answer close"]);
    },
  );
  await t.step("an empty source makes an empty file", async () => {
    const path = dir.join("empty");
    await sftpWriteNew(session.sftp, path, streamOf(new Uint8Array(), 1), { mode: 0o600 });
    deepStrictEqual(Deno.readFileSync(path), new Uint8Array());
  });
  await t.step("an existing path is never opened (O_EXCL)", async () => {
    const path = dir.join("taken");
    await Deno.writeTextFile(path, "keep");
    await rejects(
      sftpWriteNew(session.sftp, path, streamOf(new Uint8Array([1]), 1), { mode: 0o644 }),
    );
    strictEqual(await Deno.readTextFile(path), "keep");
  });
  await t.step("a failed write is thrown after the handle is closed", async () => {
    const { sftp, log } = recorded(session.sftp, { failWrite: 2 });
    const path = dir.join("failed");
    await rejects(
      sftpWriteNew(sftp, path, streamOf(randomBytes(5 * WRITE_CHUNK), WRITE_CHUNK), {
        mode: 0o644,
      }),
      { message: "No space left" },
    );
    strictEqual(log.includes("answer close"), true, log.join(", "));
  });
});
