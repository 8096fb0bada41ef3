import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Buffer } from "node:buffer";
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  keyTypeOf,
  verifyHostKey,
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

Deno.test("verifyHostKey() applies the host-key policy: yes refuses, accept-new records, no accepts", async (t) => {
  await using dir = await tempDir();
  const a = await keyBlob(await generateKey(dir.join("a")));
  const b = await keyBlob(await generateKey(dir.join("b")));
  const file = dir.join("known_hosts");
  const original = `known.example ${a.line}\n`;
  const policy = { host: "new.example", port: 2200, knownHosts: [file, dir.join("global")] };
  await t.step("a known key passes under every policy", async () => {
    await Deno.writeTextFile(file, original);
    for (const strict of ["yes", "accept-new", "no"] as const) {
      strictEqual(
        verifyHostKey({ ...policy, host: "known.example", port: 22, strict }, a.blob),
        undefined,
      );
    }
    strictEqual(await Deno.readTextFile(file), original);
  });
  await t.step("yes refuses an unknown key and writes nothing", async () => {
    strictEqual(
      verifyHostKey({ ...policy, strict: "yes" }, a.blob),
      `Host key of new.example:2200 is not in ${file} and ssh_strict_host_key_checking is yes: its fingerprint is ${a.fp}`,
    );
    strictEqual(await Deno.readTextFile(file), original);
  });
  await t.step("no accepts an unknown key and writes nothing", async () => {
    strictEqual(verifyHostKey({ ...policy, strict: "no" }, a.blob), undefined);
    strictEqual(await Deno.readTextFile(file), original);
  });
  await t.step("accept-new appends one line to the first file", async () => {
    strictEqual(verifyHostKey({ ...policy, strict: "accept-new" }, a.blob), undefined);
    strictEqual(await Deno.readTextFile(file), `${original}[new.example]:2200 ${a.line}\n`);
  });
  await t.step("a changed key is refused under every policy, with the line to remove", () => {
    for (const strict of ["yes", "accept-new", "no"] as const) {
      strictEqual(
        verifyHostKey({ ...policy, host: "known.example", port: 22, strict }, b.blob),
        `Host key of known.example:22 has CHANGED: the server offers ${b.fp} but ${file}:1 expects ${a.fp}. ` +
          `If the change is expected, remove line 1 of ${file}`,
      );
    }
  });
  await t.step("a revoked key is refused", async () => {
    await Deno.writeTextFile(file, `@revoked known.example ${b.line}\n`);
    strictEqual(
      verifyHostKey({ ...policy, host: "known.example", port: 22, strict: "no" }, b.blob),
      `Host key of known.example:22 is revoked in ${file}:1`,
    );
  });
});
