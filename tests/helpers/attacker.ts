/**
 * A second, unprivileged account on the target acting as an attacker: it
 * owns directories skiff works in and runs watchers (polling loops in sh)
 * that swap files for symbolic links while skiff works. Tests run as root.
 *
 * @module
 */

import { requireRoot } from "./require.ts";

/** The attacker's account name. */
export const ATTACKER = "skiff-attacker";

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(argv[0], { args: argv.slice(1), stdin: "null" }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Makes sure the attacker account exists; returns its uid and gid. */
export async function ensureAttacker(): Promise<{ uid: number; gid: number }> {
  requireRoot("an attacker account");
  if ((await run(["id", "-u", ATTACKER])).code !== 0) {
    const added = await run(["useradd", "-m", "-s", "/bin/sh", ATTACKER]);
    if (added.code !== 0) throw new Error(`useradd ${ATTACKER} failed: ${added.stderr}`);
  }
  const uid = Number((await run(["id", "-u", ATTACKER])).stdout.trim());
  const gid = Number((await run(["id", "-g", ATTACKER])).stdout.trim());
  // A home of its own: `sudo -i -u` changes into it.
  await Deno.mkdir(`/home/${ATTACKER}`, { recursive: true });
  await Deno.chown(`/home/${ATTACKER}`, uid, gid);
  return { uid, gid };
}

/** Runs `script` with `sh -c` as the attacker and returns its stdout; throws when it fails. */
export async function asAttacker(script: string): Promise<string> {
  const out = await run(attackerArgv(script));
  if (out.code !== 0) throw new Error(`attacker script failed (${out.code}): ${out.stderr}`);
  return out.stdout;
}

function attackerArgv(script: string): string[] {
  return ["setpriv", "--reuid", ATTACKER, "--regid", ATTACKER, "--init-groups", "sh", "-c", script];
}

/** A watcher running as the attacker; stop it (by its pid) when done. */
export interface Watcher extends AsyncDisposable {
  /** Stops the watcher and returns what it printed. */
  stop(): Promise<string>;
}

/** Runs `body` in an endless loop as the attacker (`$1`… are `args`). */
export function attackerLoop(body: string, ...args: string[]): Watcher {
  const argv = attackerArgv(`while :; do\n${body}\ndone`);
  const child = new Deno.Command(argv[0], {
    args: [...argv.slice(1), "watcher", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let stopped: Promise<string> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      child.kill("SIGKILL");
      return new TextDecoder().decode((await child.output()).stdout);
    })();
  return { stop, [Symbol.asyncDispose]: async () => void await stop() };
}

/**
 * Starts a polling loop, as the attacker, that replaces every regular file
 * in `dir` whose name matches the shell pattern `pattern` with a symbolic
 * link to `target`; `stop()` then returns how many swaps it made.
 */
export function swapWatcher(
  dir: string,
  pattern: string,
  target: string,
): AsyncDisposable & { stop(): Promise<number> } {
  const loop = attackerLoop(
    `cd "$1" || exit 1
for f in ${pattern}; do
  if [ -f "$f" ] && [ ! -L "$f" ]; then rm -f "$f" && ln -s "$2" "$f" && echo swapped; fi
done`,
    dir,
    target,
  );
  const stop = async () => (await loop.stop()).split("\n").filter((l) => l === "swapped").length;
  return { stop, [Symbol.asyncDispose]: () => loop[Symbol.asyncDispose]() };
}

/** A root-owned 0600 file the attacker must never gain: its path, and a check. */
export async function rootSecret(dir: string): Promise<{ path: string; check(): Promise<void> }> {
  const path = `${dir}/secret`;
  await Deno.writeTextFile(path, "root only\n", { mode: 0o600 });
  await Deno.chmod(path, 0o600);
  return {
    path,
    async check() {
      const info = await Deno.lstat(path);
      const seen = [info.uid, info.gid, (info.mode! & 0o7777).toString(8)];
      const content = await Deno.readTextFile(path);
      if (seen.join(" ") !== "0 0 600" || content !== "root only\n") {
        throw new Error(
          `the root secret changed: owner, group, mode ${seen.join(" ")}, ${
            JSON.stringify(content)
          }`,
        );
      }
    },
  };
}
