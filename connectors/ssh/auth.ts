/**
 * Logging in to one hop: the keys, agent and password to offer (in that
 * order), the ssh2 connection settings, the host-key check, and errors that
 * say what was tried. Authentication and host-key failures are permanent: a
 * retry cannot fix them.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Client, ConnectConfig, ParsedKey } from "ssh2";
import { ConnectError, errorMessage } from "../../lib/core/errors.ts";
import { verifyHostKey } from "./host_keys.ts";
import type { HopSettings } from "./settings.ts";

/**
 * How many unanswered keepalives end a connection (OpenSSH's
 * ServerAliveCountMax default). ssh2 gives up one interval after the last,
 * so a silent link is noticed within (count + 1) x ssh_keepalive_interval.
 */
export const KEEPALIVE_COUNT = 3;

/** One way to authenticate, as ssh2's `authHandler` takes it, with a label for errors. */
export type AuthMethod = Record<string, unknown> & { type: string; label: string };

/** The methods to offer, and why keys were left out. */
export interface AuthPlan {
  /** In the order they are offered: keys, agent, password. */
  methods: AuthMethod[];
  /** Why a key file was skipped (unreadable, encrypted, cannot sign). */
  notes: string[];
}

/**
 * How encrypted key files are opened without `ssh_key_password`: the
 * passphrases that worked (kept for the connection's retries and jump hosts)
 * and, on a terminal, a question asked without echo.
 */
export interface KeyPassphrases {
  /** Passphrases that opened a key, by key file path. */
  readonly known: Map<string, string>;
  /** Asks for the passphrase of the key at `path`; null when it cannot or was not answered. */
  ask?: (path: string) => Promise<string | null>;
}

/** How many times a wrong passphrase is asked again, as OpenSSH does. */
const PASSPHRASE_TRIES = 3;

/**
 * Opens one key file: with `ssh_key_password`, else with a passphrase that
 * worked before or one typed on the terminal (only when no agent is offered:
 * the agent may hold the key, and OpenSSH would not ask either).
 */
async function openKey(
  path: string,
  text: Uint8Array,
  { hop, passphrases }: { hop: HopSettings; passphrases?: KeyPassphrases },
): Promise<ParsedKey | string> {
  const { utils } = (await import("ssh2")).default;
  const parse = (passphrase?: string): ParsedKey | Error => {
    const parsed: unknown = utils.parseKey(Buffer.from(text), passphrase);
    return (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | Error;
  };
  const locked = (key: ParsedKey | Error): boolean =>
    key instanceof Error && /encrypted|passphrase|decrypt/i.test(key.message);
  let key = parse(hop.keyPassword ?? passphrases?.known.get(path));
  const ask = hop.keyPassword === undefined && hop.agent === undefined
    ? passphrases?.ask
    : undefined;
  let typed = false;
  for (let tries = 0; ask && locked(key) && tries < PASSPHRASE_TRIES; tries++) {
    const answer = await ask(path);
    if (answer === null) break;
    typed = true;
    key = parse(answer);
    if (!(key instanceof Error)) passphrases!.known.set(path, answer);
  }
  if (!(key instanceof Error)) return key;
  if (!locked(key)) return `${path}: ${key.message}`;
  return typed
    ? `${path}: the passphrase typed does not open the key`
    : `${path}: the key is encrypted and no usable ssh_key_password was given`;
}

/**
 * Reads the hop's key files and lists the methods to offer. A missing key
 * file is skipped silently, any other problem becomes a note. An encrypted
 * key is opened as {@linkcode KeyPassphrases} allows.
 */
export async function authPlan(
  hop: HopSettings,
  passphrases?: KeyPassphrases,
): Promise<AuthPlan> {
  const notes: string[] = [];
  const methods: AuthMethod[] = [];
  for (const path of hop.keys) {
    let text: Uint8Array;
    try {
      text = await Deno.readFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) notes.push(`${path}: ${errorMessage(error)}`);
      continue;
    }
    const key = await openKey(path, text, { hop, passphrases });
    if (typeof key === "string") {
      notes.push(key);
      continue;
    }
    // About half of the ECDSA keys OpenSSH writes cannot sign under Deno: probe before offering.
    if (/^ecdsa-sha2-nistp(256|384)$/.test(key.type)) {
      const signature = key.sign(Buffer.from("skiff-probe"));
      if (signature instanceof Error || !key.verify(Buffer.from("skiff-probe"), signature)) {
        notes.push(
          `${path}: this ${key.type} key cannot sign under Deno; load it into ssh-agent or use an ed25519 key`,
        );
        continue;
      }
    }
    methods.push({ type: "publickey", username: hop.user, key, label: `publickey (${path})` });
  }
  if (hop.agent) {
    methods.push({ type: "agent", username: hop.user, agent: hop.agent, label: "agent" });
  }
  if (hop.password !== undefined) {
    methods.push({
      type: "password",
      username: hop.user,
      password: hop.password,
      label: "password",
    });
  }
  return { methods, notes };
}

/**
 * The message for a failed login: who, where, the methods tried, and why
 * keys were skipped.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { authFailure } from "./auth.ts";
 * deepStrictEqual(authFailure({ user: "deploy", host: "web1", port: 22 }, { tried: ["password"], notes: [] }), "Authentication failed for deploy@web1:22: tried password");
 * ```
 */
export function authFailure(
  hop: Pick<HopSettings, "user" | "host" | "port">,
  attempt: { tried: readonly string[]; notes: readonly string[] },
): string {
  const list = attempt.tried.length > 0
    ? attempt.tried.join(", ")
    : "none (no key, agent or password was usable)";
  const extra = attempt.notes.length > 0 ? `; ${attempt.notes.join("; ")}` : "";
  return `Authentication failed for ${hop.user}@${hop.host}:${hop.port}: tried ${list}${extra}`;
}

/** The hash a signature for each RSA algorithm takes (other key types have one). */
const RSA_HASHES: Readonly<Record<string, string>> = {
  "rsa-sha2-512": "sha512",
  "rsa-sha2-256": "sha256",
  "ssh-rsa": "sha1",
};

/**
 * Makes `client` sign with a key file's key in its first request, rather
 * than first asking the server whether it would take the key (ssh2 always
 * asks; OpenSSH answers the question after its failed-attempt delay).
 * Measured against OpenSSH 9.2: one round trip and some 45 ms less per
 * connection. Agent keys still ask first (an agent may prompt to sign).
 * A server that refuses the key answers a signed request as it answers the
 * question, so the next method is tried as before.
 *
 * This wraps ssh2 1.17's private `_protocol.authPK` (created by `connect`);
 * without it, ssh2 asks first as before.
 */
function signWithoutQuery(client: Client): void {
  type Sign = (data: Buffer, done: (signature: Buffer) => void) => void;
  type AuthPK = (user: string, key: unknown, algorithm?: unknown, sign?: Sign) => unknown;
  const protocol = (client as unknown as { _protocol?: { authPK?: AuthPK } })._protocol;
  const original = protocol?.authPK;
  if (!protocol || typeof original !== "function") return;
  protocol.authPK = function (this: unknown, user, key, algorithm, sign) {
    const owned = key as {
      isPrivateKey?: () => boolean;
      sign?: (data: Buffer, hash?: string) => Buffer | Error;
    };
    if (
      sign === undefined && typeof algorithm !== "function" && owned.isPrivateKey?.() === true &&
      typeof owned.sign === "function"
    ) {
      const hash = typeof algorithm === "string" ? RSA_HASHES[algorithm] : undefined;
      // A key that cannot sign with this hash is left to ssh2's own way (ask, then fail clearly).
      if (!(owned.sign(Buffer.from("skiff-probe"), hash) instanceof Error)) {
        return original.call(this, user, key, algorithm, (data, done) => {
          done(owned.sign!(data, hash) as Buffer);
        });
      }
    }
    return original.call(this, user, key, algorithm, sign);
  };
}

/**
 * Connects `client` to one hop (through `sock`, a forwarded stream from the
 * previous hop, if any) and logs in. Throws ConnectError; permanent for
 * authentication and host-key failures.
 */
export async function openHop(
  client: Client,
  hop: HopSettings,
  options: { sock?: unknown; passphrases?: KeyPassphrases } = {},
): Promise<void> {
  const { methods, notes } = await authPlan(hop, options.passphrases);
  let hostKeyProblem: string | undefined;
  const tried: string[] = [];
  const config: ConnectConfig = {
    host: hop.host,
    port: hop.port,
    username: hop.user,
    sock: options.sock as ConnectConfig["sock"],
    // The whole handshake and login must finish within ConnectTimeout.
    readyTimeout: hop.connectTimeout * 1000,
    // Three missed keepalives fail the host (ssh_keepalive_interval / ServerAliveInterval).
    keepaliveInterval: hop.keepalive * 1000,
    keepaliveCountMax: KEEPALIVE_COUNT,
    agentForward: hop.forwardAgent && hop.agent !== undefined,
    agent: hop.agent,
    // No compression, as OpenSSH's default `Compression no`. AES-CTR (with an
    // encrypt-then-MAC HMAC) before AES-GCM, as OpenSSH orders them: under
    // Deno, ssh2's GCM sets up a cipher per packet and costs some 20% more CPU
    // per byte moved (bench/large_file_bench.ts).
    algorithms: {
      compress: ["none"],
      cipher: [
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com",
      ],
    },
    authHandler: (_left, _partial, next) => {
      const method = methods.shift();
      if (!method) return next(false as never);
      tried.push(method.label);
      next(method as never);
    },
    hostVerifier: (key: Buffer) => {
      const problem = verifyHostKey(hop, new Uint8Array(key));
      if (problem) hostKeyProblem = problem;
      return problem === undefined;
    },
  };
  const where = `${hop.host}:${hop.port}`;
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve());
    client.once("error", (error: Error & { level?: string }) => {
      if (hostKeyProblem) return reject(new ConnectError(hostKeyProblem, { permanent: true }));
      if (
        error.level === "client-authentication" ||
        /authentication methods failed/i.test(error.message)
      ) {
        return reject(new ConnectError(authFailure(hop, { tried, notes }), { permanent: true }));
      }
      if (/timed out/i.test(error.message)) {
        return reject(
          new ConnectError(`Timed out connecting to ${where} after ${hop.connectTimeout} s`),
        );
      }
      reject(new ConnectError(`Cannot connect to ${where}: ${error.message}`, { cause: error }));
    });
    try {
      client.connect(config);
      signWithoutQuery(client);
    } catch (error) {
      reject(new ConnectError(`Cannot connect to ${where}: ${errorMessage(error)}`));
    }
  });
  // Nagle off: a command is a small write that waits for its answer.
  const socket = (client as unknown as { _sock?: { setNoDelay?: (on: boolean) => void } })._sock;
  socket?.setNoDelay?.(true);
}
