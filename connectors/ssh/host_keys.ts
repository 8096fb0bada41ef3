/**
 * known_hosts: lookup of a host's key (plain names, `[host]:port`, hashed
 * `|1|salt|hash` entries, patterns), OpenSSH-style `SHA256:` fingerprints,
 * appending one line for a new host without rewriting the file, and the
 * host-key policy (`StrictHostKeyChecking`) that decides what to do.
 *
 * @module
 */

import { createHash, createHmac } from "node:crypto";
import { Buffer } from "node:buffer";
import { errorMessage } from "../../lib/core/errors.ts";
import { matchesPatterns } from "./ssh_config.ts";

/** What to do with an unknown host key: refuse it, record it, or accept it unrecorded. */
export type StrictHostKeyChecking = "yes" | "accept-new" | "no";

/** Where and how one hop's host key is checked. */
export interface HostKeyPolicy {
  /** The host name or address, as known_hosts stores it. */
  host: string;
  /** The port (not 22: stored as `[host]:port`). */
  port: number;
  /** known_hosts files to read; a new key is appended to the first. */
  knownHosts: readonly string[];
  /** The policy for unknown keys. */
  strict: StrictHostKeyChecking;
}

/** The result of checking a host key. */
export type HostKeyCheck =
  | { status: "known"; file: string; line: number }
  | { status: "unknown" }
  | { status: "changed"; file: string; line: number; expectedFingerprint: string }
  | { status: "revoked"; file: string; line: number }
  | { status: "unsupported"; file: string; line: number; reason: string };

/**
 * The OpenSSH fingerprint of a key blob: `SHA256:` and base64 without padding.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { fingerprint } from "./host_keys.ts";
 * deepStrictEqual(fingerprint(new Uint8Array([1, 2, 3])), "SHA256:A5BYxvLAy0ksUzsKTRTvd8wPeKvMztUofYShogEc+4E");
 * ```
 */
export function fingerprint(blob: Uint8Array): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

/** The name a host is stored under: `host` for port 22, else `[host]:port`. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type stored at the start of a key blob (`ssh-ed25519`, …). */
export function keyTypeOf(blob: Uint8Array): string {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const length = view.getUint32(0);
  return new TextDecoder().decode(blob.subarray(4, 4 + length));
}

function hostFieldMatches(field: string, name: string, host: string, port: number): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return digest === hash;
  }
  const patterns = field.split(",");
  if (patterns.some((p) => p === name)) return true;
  // Patterns: plain names match port 22 only; [pattern]:port forms match that port.
  const forPort = patterns.filter((p) => port === 22 ? !p.startsWith("[") : p.startsWith("["));
  const stripped = forPort.map((p) => {
    const m = /^(!?)\[(.*)\]:(\d+)$/.exec(p);
    return m ? (Number(m[3]) === port ? `${m[1]}${m[2]}` : "") : p;
  }).filter((p) => p !== "");
  return stripped.length > 0 && stripped.some((p) => /[*?]/.test(p)) &&
    matchesPatterns(host, stripped);
}

/**
 * Checks a presented host key against known_hosts files. Synchronous on
 * purpose: ssh2 stalls when an asynchronous host verifier answers before it
 * has checked the server's signature.
 *
 * @example
 * ```ts ignore
 * const result = checkHostKey(["/home/me/.ssh/known_hosts"], "web1", 22, keyBlob);
 * ```
 */
export function checkHostKey(
  files: readonly string[],
  host: string,
  port: number,
  blob: Uint8Array,
): HostKeyCheck {
  const name = knownHostName(host, port);
  const type = keyTypeOf(blob);
  const presented = Buffer.from(blob).toString("base64");
  let changed: HostKeyCheck | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    for (const [index, raw] of text.split("\n").entries()) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      let fields = line.split(/\s+/);
      let marker = "";
      if (fields[0].startsWith("@")) [marker, ...fields] = fields;
      if (fields.length < 3 || !hostFieldMatches(fields[0], name, host, port)) continue;
      const [, keyType, key] = fields;
      if (marker === "@revoked") {
        if (key === presented) return { status: "revoked", file, line: index + 1 };
        continue;
      }
      if (marker === "@cert-authority") {
        return {
          status: "unsupported",
          file,
          line: index + 1,
          reason: "@cert-authority entries (host certificates) are not supported",
        };
      }
      if (keyType === type && key === presented) return { status: "known", file, line: index + 1 };
      if (keyType === type && !changed) {
        changed = {
          status: "changed",
          file,
          line: index + 1,
          expectedFingerprint: fingerprint(Buffer.from(key, "base64")),
        };
      }
    }
  }
  return changed ?? { status: "unknown" };
}

/** Appends one line for a new host, adding a newline first when the file lacks one. */
export function appendKnownHost(file: string, host: string, port: number, blob: Uint8Array): void {
  let prefix = "";
  try {
    const existing = Deno.readFileSync(file);
    if (existing.length > 0 && existing[existing.length - 1] !== 0x0a) prefix = "\n";
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const dir = file.slice(0, file.lastIndexOf("/"));
    if (dir) Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const line = `${prefix}${knownHostName(host, port)} ${keyTypeOf(blob)} ${
    Buffer.from(blob).toString("base64")
  }\n`;
  Deno.writeTextFileSync(file, line, { append: true, create: true, mode: 0o644 });
}

/**
 * Checks a host key against known_hosts under the hop's policy, recording a
 * new key under accept-new. Returns why it is refused, or undefined.
 * Synchronous, like {@linkcode checkHostKey}.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { verifyHostKey } from "./host_keys.ts";
 * const blob = new Uint8Array([0, 0, 0, 11, ...new TextEncoder().encode("ssh-ed25519"), 1]);
 * const policy = { host: "web1", port: 22, knownHosts: ["/nonexistent/known_hosts"] };
 * deepStrictEqual(verifyHostKey({ ...policy, strict: "no" }, blob), undefined);
 * deepStrictEqual(verifyHostKey({ ...policy, strict: "yes" }, blob)?.startsWith("Host key of web1:22 is not in"), true);
 * ```
 */
export function verifyHostKey(policy: HostKeyPolicy, blob: Uint8Array): string | undefined {
  const target = `${policy.host}:${policy.port}`;
  const file = policy.knownHosts[0];
  let check;
  try {
    check = checkHostKey(policy.knownHosts, policy.host, policy.port, blob);
  } catch (error) {
    return `Cannot verify ${target}: ${errorMessage(error)}`;
  }
  switch (check.status) {
    case "known":
      return undefined;
    case "unknown":
      if (policy.strict === "yes") {
        return `Host key of ${target} is not in ${file} and ssh_strict_host_key_checking is yes: ` +
          `its fingerprint is ${fingerprint(blob)}`;
      }
      if (policy.strict === "accept-new") {
        try {
          appendKnownHost(file, policy.host, policy.port, blob);
        } catch (error) {
          return `Cannot record the host key of ${target} in ${file}: ${errorMessage(error)}`;
        }
      }
      return undefined;
    case "changed":
      return `Host key of ${target} has CHANGED: the server offers ${fingerprint(blob)} but ` +
        `${check.file}:${check.line} expects ${check.expectedFingerprint}. If the change is expected, ` +
        `remove line ${check.line} of ${check.file}`;
    case "revoked":
      return `Host key of ${target} is revoked in ${check.file}:${check.line}`;
    case "unsupported":
      return `Cannot verify ${target}: ${check.reason} (${check.file}:${check.line})`;
  }
}
