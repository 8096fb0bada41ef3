import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Buffer } from "node:buffer";
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  keyTypeOf,
} from "../../../connectors/ssh/host_keys.ts";
import { generateKey } from "../../helpers/sshd.ts";
import { tempDir } from "../../helpers/temp.ts";

async function keyBlob(path: string): Promise<{ blob: Uint8Array; line: string; fp: string }> {
  const line = (await Deno.readTextFile(`${path}.pub`)).trim().split(" ").slice(0, 2).join(" ");
  const fp = new TextDecoder().decode(
    (await new Deno.Command("ssh-keygen", { args: ["-l", "-E", "sha256", "-f", `${path}.pub`] })
      .output()).stdout,
  ).split(" ")[1];
  return { blob: new Uint8Array(Buffer.from(line.split(" ")[1], "base64")), line, fp };
}

Deno.test("fingerprint() matches ssh-keygen -l", async () => {
  await using dir = await tempDir();
  const key = await keyBlob(await generateKey(dir.join("k")));
  strictEqual(fingerprint(key.blob), key.fp);
  strictEqual(keyTypeOf(key.blob), "ssh-ed25519");
});

Deno.test("checkHostKey() finds plain, [host]:port and hashed entries, and reports changed keys with their line", async () => {
  await using dir = await tempDir();
  const a = await keyBlob(await generateKey(dir.join("a")));
  const b = await keyBlob(await generateKey(dir.join("b")));
  const salt = Buffer.from("0123456789abcdef0123");
  const hashed = `|1|${salt.toString("base64")}|${
    createHmac("sha1", salt).update("hashed.example").digest("base64")
  }`;
  const file = dir.join("known_hosts");
  await Deno.writeTextFile(
    file,
    `# comment\nplain.example,alias ${a.line}\n[ported.example]:2222 ${a.line}\n${hashed} ${a.line}\n@revoked revoked.example ${b.line}\n@cert-authority *.ca.example ${b.line}\n`,
  );
  deepStrictEqual(checkHostKey([file], "plain.example", 22, a.blob), {
    status: "known",
    file,
    line: 2,
  });
  deepStrictEqual(checkHostKey([file], "alias", 22, a.blob), { status: "known", file, line: 2 });
  deepStrictEqual(checkHostKey([file], "ported.example", 2222, a.blob), {
    status: "known",
    file,
    line: 3,
  });
  deepStrictEqual(checkHostKey([file], "ported.example", 22, a.blob), { status: "unknown" });
  deepStrictEqual(checkHostKey([file], "hashed.example", 22, a.blob), {
    status: "known",
    file,
    line: 4,
  });
  deepStrictEqual(checkHostKey([file], "plain.example", 22, b.blob), {
    status: "changed",
    file,
    line: 2,
    expectedFingerprint: a.fp,
  });
  deepStrictEqual(checkHostKey([file], "revoked.example", 22, b.blob), {
    status: "revoked",
    file,
    line: 5,
  });
  strictEqual(checkHostKey([file], "x.ca.example", 22, a.blob).status, "unsupported");
  deepStrictEqual(checkHostKey([dir.join("missing")], "plain.example", 22, a.blob), {
    status: "unknown",
  });
});

Deno.test("appendKnownHost() adds exactly one line and leaves the rest byte for byte", async () => {
  await using dir = await tempDir();
  const a = await keyBlob(await generateKey(dir.join("a")));
  const file = dir.join("known_hosts");
  const before = "# keep me\nother.example ssh-ed25519 AAAA";
  await Deno.writeTextFile(file, before);
  appendKnownHost(file, "127.0.0.1", 2200, a.blob);
  strictEqual(await Deno.readTextFile(file), `${before}\n[127.0.0.1]:2200 ${a.line}\n`);
});
