/**
 * A disposable Debian bookworm minbase tree for package, service and user
 * tests: built once with debootstrap from the machine's own apt mirror (read
 * from its sources, never hard-coded), cached as
 * `${SKIFF_TEST_CACHE:-/var/cache/skiff-test}/debian-bookworm-minbase.tar.zst`
 * (about 2.5 minutes the first time), restored in about a second.
 *
 * @module
 */

import { runProcess } from "../../lib/process.ts";

/** Where slow-to-build targets are cached. */
export function testCacheDir(): string {
  return Deno.env.get("SKIFF_TEST_CACHE") || "/var/cache/skiff-test";
}

async function run(argv: readonly string[]): Promise<string> {
  const result = await runProcess(argv);
  if (result.exitCode !== 0) {
    throw new Error(
      `${argv.join(" ")} failed (exit code ${result.exitCode}): ${result.output.stderr}`,
    );
  }
  return result.output.stdout;
}

/** The first Debian mirror of this machine's apt sources. */
export async function aptMirror(): Promise<string> {
  try {
    const sources = await Deno.readTextFile("/etc/apt/sources.list.d/debian.sources");
    const match = /^URIs:\s*(\S+)/m.exec(sources);
    if (match) return match[1];
  } catch {
    // The one-line format below.
  }
  const list = await Deno.readTextFile("/etc/apt/sources.list");
  const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(list);
  if (!match) throw new Error("No Debian mirror found in /etc/apt sources");
  return match[1];
}

/** The cached tarball, built first when missing. */
export async function debianTarball(): Promise<string> {
  const cache = testCacheDir();
  const tarball = `${cache}/debian-bookworm-minbase.tar.zst`;
  try {
    await Deno.stat(tarball);
    return tarball;
  } catch {
    // Build it below.
  }
  if (Deno.uid() !== 0) throw new Error("Building the Debian test tree needs root");
  await Deno.mkdir(cache, { recursive: true });
  const build = await Deno.makeTempDir({ dir: cache, prefix: "debian-build-" });
  try {
    const root = `${build}/root`;
    await run(["debootstrap", "--variant=minbase", "bookworm", root, await aptMirror()]);
    await run([
      "sh",
      "-c",
      [
        'cp /etc/apt/sources.list.d/debian.sources "$1/etc/apt/sources.list.d/" && rm -f "$1/etc/apt/sources.list"',
        'cp /etc/apt/apt.conf.d/* "$1/etc/apt/apt.conf.d/" 2>/dev/null',
        `printf '#!/bin/sh\\nexit 101\\n' >"$1/usr/sbin/policy-rc.d" && chmod 755 "$1/usr/sbin/policy-rc.d"`,
        'tar -C "$1" --numeric-owner -c . | zstd -q -T2 >"$2"',
      ].join(" && "),
      "sh",
      root,
      `${build}/root.tar.zst`,
    ]);
    await Deno.rename(`${build}/root.tar.zst`, tarball);
    return tarball;
  } finally {
    await Deno.remove(build, { recursive: true }).catch(() => {});
  }
}

/** A restored tree; disposing kills its processes, unmounts /proc and removes it. */
export interface DebianRoot extends AsyncDisposable {
  /** Absolute path of the tree. */
  readonly path: string;
  /** Runs a shell script inside the tree (`chroot PATH sh -c`), returning stdout. */
  sh(script: string): Promise<string>;
}

/** Restores a fresh copy of the cached tree (with /proc mounted). */
export async function debianRoot(): Promise<DebianRoot> {
  const tarball = await debianTarball();
  const path = await Deno.makeTempDir({ prefix: "skiff-debian-" });
  await run(["tar", "-C", path, "--zstd", "-xpf", tarball]);
  await run(["mount", "-t", "proc", "proc", `${path}/proc`]);
  return {
    path,
    sh: (script) => run(["chroot", path, "sh", "-c", script]),
    [Symbol.asyncDispose]: async () => {
      await run([
        "sh",
        "-c",
        `for p in /proc/[0-9]*; do [ "$(readlink "$p/root" 2>/dev/null)" = "$1" ] && kill -9 "\${p#/proc/}" 2>/dev/null; done
sleep 0.2
if mountpoint -q "$1/proc"; then umount -l "$1/proc"; fi
if mountpoint -q "$1/proc"; then echo "$1/proc is still mounted" >&2; exit 1; fi
rm -rf --one-file-system "$1"`,
        "sh",
        path,
      ]);
    },
  };
}
