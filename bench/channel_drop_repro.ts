/**
 * Issue #16 item 4: do 4 or more concurrent channels on one connection drop
 * it under Deno? A minimal reproducer with `npm:ssh2` and `node:net` only (no
 * skiff code but the loopback sshd of the tests): one connection per trial,
 * N workers each opening exec channels one after another (40 commands in
 * all, every other one with stdin), N = 1 … MaxSessions + 2, with and without
 * `setNoDelay`, small and large outputs. Prints per trial how many commands
 * got their whole output, how many opens the server refused ("open failed")
 * and whether the connection dropped.
 *
 * `deno run --allow-read --allow-write --allow-net --allow-run --allow-env --allow-sys
 * bench/channel_drop_repro.ts [MAX_SESSIONS] [COMMANDS]` (defaults 10, OpenSSH's own
 * MaxSessions, and 40).
 *
 * @module
 */

import { Client, type ConnectConfig } from "ssh2";
import net from "node:net";
import { startSshd, TEST_USER } from "../tests/helpers/sshd.ts";

/** What one trial saw. */
export interface DropTrial {
  /** Workers opening channels at once. */
  workers: number;
  /** Whether Nagle was off on the socket. */
  noDelay: boolean;
  /** Bytes each command prints. */
  bytes: number;
  /** Commands run. */
  commands: number;
  /** Commands that got all their output and an exit status. */
  ok: number;
  /** Opens the server refused ("open failed"). */
  openFailed: number;
  /** Commands whose output came short. */
  short: number;
  /** Why the connection ended before the trial did, if it did. */
  dropped?: string;
}

/** Runs one trial on a fresh connection to `port`. */
async function trial(
  port: number,
  privateKey: string,
  shape: { workers: number; noDelay: boolean; bytes: number; commands: number },
): Promise<DropTrial> {
  const sock = net.connect(port, "127.0.0.1");
  if (shape.noDelay) sock.setNoDelay(true);
  const client = new Client();
  const seen: DropTrial = { ...shape, ok: 0, openFailed: 0, short: 0 };
  let done = false;
  client.on("error", (error) => seen.dropped ??= `error: ${error.message}`);
  client.on("close", () => {
    if (!done) seen.dropped ??= "closed";
  });
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve());
    client.once("error", reject);
    const config: ConnectConfig = {
      sock: sock as unknown as ConnectConfig["sock"],
      username: TEST_USER,
      privateKey,
      hostVerifier: () => true,
      // As skiff asks: a keepalive every 15 s, AES-CTR first.
      keepaliveInterval: 15_000,
      algorithms: { cipher: ["aes128-ctr", "aes128-gcm@openssh.com"] },
    };
    client.connect(config);
  });
  let next = 0;
  const one = (index: number) =>
    new Promise<void>((resolve) => {
      const withStdin = index % 2 === 1;
      const command = `${withStdin ? "cat >/dev/null; " : ""}head -c ${shape.bytes} /dev/zero`;
      client.exec(command, (error, channel) => {
        if (error) {
          if (/open failed/.test(error.message)) seen.openFailed++;
          else seen.dropped ??= `exec: ${error.message}`;
          return resolve();
        }
        let got = 0;
        let code: number | undefined;
        channel.on("data", (chunk: Uint8Array) => got += chunk.length);
        channel.on("exit", (exit: number) => code = exit);
        channel.stderr.resume();
        if (withStdin) channel.write(new TextEncoder().encode("input\n"));
        channel.end();
        channel.on("close", () => {
          if (got === shape.bytes && code === 0) seen.ok++;
          else seen.short++;
          resolve();
        });
      });
    });
  await Promise.all(
    Array.from({ length: shape.workers }, async () => {
      while (next < shape.commands && seen.dropped === undefined) await one(next++);
    }),
  );
  done = true;
  client.end();
  return seen;
}

/** Runs every trial against one sshd with `maxSessions`; returns what each saw. */
export async function reproduceChannelDrop(
  maxSessions = 10,
  commands = 40,
  log: (line: string) => void = console.log,
): Promise<DropTrial[]> {
  await using sshd = await startSshd({ maxSessions });
  const key = await Deno.readTextFile(sshd.clientKey);
  const trials: DropTrial[] = [];
  log(`sshd MaxSessions ${maxSessions}, ${commands} commands per trial, Deno ${Deno.version.deno}`);
  log("workers | nodelay | bytes | ok | open failed | short | dropped");
  for (const bytes of [16, 1 << 20]) {
    for (const noDelay of [false, true]) {
      for (let workers = 1; workers <= maxSessions + 2; workers++) {
        const seen = await trial(sshd.port, key, { workers, noDelay, bytes, commands });
        trials.push(seen);
        log(
          `${workers} | ${noDelay} | ${bytes} | ${seen.ok}/${commands} | ${seen.openFailed} | ${seen.short} | ${
            seen.dropped ?? "no"
          }`,
        );
      }
    }
  }
  const drops = trials.filter((seen) => seen.dropped !== undefined).length;
  const refusedBelow = trials.filter((seen) => seen.workers < maxSessions && seen.openFailed > 0);
  log(`connections dropped: ${drops} of ${trials.length} trials`);
  log(
    `trials below MaxSessions with refused opens: ${refusedBelow.length} (fewest workers: ${
      Math.min(...refusedBelow.map((seen) => seen.workers))
    })`,
  );
  return trials;
}

if (import.meta.main) {
  await reproduceChannelDrop(Number(Deno.args[0] ?? 10), Number(Deno.args[1] ?? 40));
}
