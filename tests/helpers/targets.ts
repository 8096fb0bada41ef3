/**
 * Real test targets: a busybox tree, a Debian minbase tree (built once with
 * debootstrap from the machine's own apt mirror and cached as `.tar.zst`),
 * podman set up with runc, an image made from the busybox tree, and
 * containers that are removed when disposed. Containers never get a network.
 *
 * @module
 */

import {
  type ProcessOptions,
  type ProcessResult,
  type ProcessRunner,
  runProcess,
} from "../../lib/process.ts";
import { requireCommand, requireRoot } from "./require.ts";

/** Where slow-to-build targets are cached: `$SKIFF_TEST_CACHE` or `/var/cache/skiff-test`. */
export function testCacheDir(): string {
  return Deno.env.get("SKIFF_TEST_CACHE") || "/var/cache/skiff-test";
}

/** Runs `argv`, returning its stdout; throws with its stderr when it fails. */
export async function run(argv: readonly string[], options: ProcessOptions = {}): Promise<string> {
  const result = await runProcess(argv, options);
  if (result.exitCode !== 0) {
    throw new Error(
      `${argv.join(" ")} failed (exit code ${result.exitCode}): ${result.output.stderr}`,
    );
  }
  return result.output.stdout;
}

/** What `/etc/os-release` says in the busybox tree. */
export const BUSYBOX_OS_RELEASE = 'NAME="skiff busybox"\nID=skiff-busybox\n';

/**
 * Builds a minimal tree in `root` (which must exist): a static busybox with
 * its applets in /bin, /etc/passwd with root and nobody, and empty /proc,
 * /sys, /dev, /tmp and /root.
 */
export async function buildBusyboxTree(root: string): Promise<void> {
  const busybox = await requireCommand("busybox", "busybox-static");
  for (const dir of ["bin", "etc", "proc", "sys", "dev", "tmp", "root"]) {
    await Deno.mkdir(`${root}/${dir}`, { recursive: true });
  }
  await Deno.chmod(root, 0o755);
  await Deno.chmod(`${root}/tmp`, 0o1777);
  await Deno.copyFile(busybox, `${root}/bin/busybox`);
  await Deno.chmod(`${root}/bin/busybox`, 0o755);
  const applets = (await run([busybox, "--list"])).split("\n").filter((a) => a && a !== "busybox");
  for (const applet of applets) await Deno.symlink("busybox", `${root}/bin/${applet}`);
  await Deno.writeTextFile(`${root}/etc/os-release`, BUSYBOX_OS_RELEASE);
  await Deno.writeTextFile(
    `${root}/etc/passwd`,
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n",
  );
  await Deno.writeTextFile(`${root}/etc/group`, "root:x:0:\nnogroup:x:65534:\n");
}

/** The first Debian mirror in the machine's apt sources (never a hard-coded host). */
async function aptMirror(): Promise<string> {
  try {
    const sources = await Deno.readTextFile("/etc/apt/sources.list.d/debian.sources");
    const match = /^URIs:\s*(\S+)/m.exec(sources);
    if (match) return match[1];
  } catch {
    // Older layout below.
  }
  const list = await Deno.readTextFile("/etc/apt/sources.list");
  const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(list);
  if (!match) throw new Error("No Debian mirror found in /etc/apt sources");
  return match[1];
}

/** The cached Debian bookworm minbase tree, built on first use (about 2.5 minutes). */
export async function debianTarball(): Promise<string> {
  const cache = testCacheDir();
  const tarball = `${cache}/debian-bookworm-minbase.tar.zst`;
  try {
    await Deno.stat(tarball);
    return tarball;
  } catch {
    // Build it below.
  }
  requireRoot("Building the Debian test tree");
  await requireCommand("debootstrap", "debootstrap");
  await requireCommand("zstd", "zstd");
  await Deno.mkdir(cache, { recursive: true });
  const build = await Deno.makeTempDir({ dir: cache, prefix: "debian-build-" });
  try {
    const root = `${build}/root`;
    await run(["debootstrap", "--variant=minbase", "bookworm", root, await aptMirror()]);
    await run([
      "sh",
      "-c",
      [
        'cp /etc/apt/sources.list.d/debian.sources "$1/etc/apt/sources.list.d/" 2>/dev/null && rm -f "$1/etc/apt/sources.list"',
        'cp /etc/apt/apt.conf.d/* "$1/etc/apt/apt.conf.d/" 2>/dev/null',
        `printf '#!/bin/sh\\nexit 101\\n' >"$1/usr/sbin/policy-rc.d" && chmod 755 "$1/usr/sbin/policy-rc.d"`,
        'tar -C "$1" --numeric-owner -c . | zstd -q -T2 >"$2"',
      ].join("; "),
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

/** Extracts the cached Debian tree into `root` (which must exist and be empty). */
export async function extractDebianTree(root: string): Promise<void> {
  const tarball = await debianTarball();
  await run(["tar", "-C", root, "--zstd", "-xpf", tarball]);
}

/** Podman set up for tests: runc, ulimits under the hard limit, no network. */
export interface Podman {
  /** The podman binary. */
  readonly cli: string;
  /** A process runner that points podman at the test `containers.conf`; give it to connectors. */
  readonly runner: ProcessRunner;
  /** Runs podman with `args`, returning stdout; throws when it fails. */
  podman(...args: string[]): Promise<string>;
}

/** Installs podman and runc when needed and writes the test `containers.conf`. */
export async function setUpPodman(): Promise<Podman> {
  requireRoot("podman with runc");
  const cli = await requireCommand("podman", "podman");
  await requireCommand("runc", "runc");
  const hard = (await run(["sh", "-c", "ulimit -Hn"])).trim();
  const cache = testCacheDir();
  await Deno.mkdir(cache, { recursive: true });
  const conf = `${cache}/containers.conf`;
  await Deno.writeTextFile(
    conf,
    `[containers]\ndefault_ulimits=["nofile=${hard}:${hard}","nproc=32768:32768"]\n[engine]\nruntime="runc"\n`,
  );
  const runner: ProcessRunner = (argv, options = {}) =>
    runProcess(argv, { ...options, env: { CONTAINERS_CONF: conf, ...options.env } });
  return {
    cli,
    runner,
    podman: async (...args) => {
      const result = await runner([cli, ...args]);
      if (result.exitCode !== 0) {
        throw new Error(`podman ${args.join(" ")} failed: ${result.output.stderr}`);
      }
      return result.output.stdout;
    },
  };
}

/** The image made from the busybox tree; bump the tag when the tree changes. */
export const BUSYBOX_IMAGE = "localhost/skiff-test-busybox:1";

/**
 * Writes `dir/podman-wrapper`, a `docker` CLI for another user of this
 * machine (the SSH test user) that runs `podman` with the test's storage
 * configuration. Returns its path.
 */
export async function podmanWrapper(podman: Podman, dir: string): Promise<string> {
  const wrapper = `${dir}/podman-wrapper`;
  await Deno.writeTextFile(
    wrapper,
    `#!/bin/sh\nexec env CONTAINERS_CONF=${testCacheDir()}/containers.conf ${podman.cli} "$@"\n`,
  );
  await Deno.chmod(wrapper, 0o755);
  return wrapper;
}

/** Imports the busybox tree as {@linkcode BUSYBOX_IMAGE} unless it exists already. */
export async function busyboxImage(podman: Podman): Promise<string> {
  const exists = await podman.runner([podman.cli, "image", "exists", BUSYBOX_IMAGE]);
  if (exists.exitCode === 0) return BUSYBOX_IMAGE;
  const root = await Deno.makeTempDir({ prefix: "skiff-image-" });
  try {
    await buildBusyboxTree(root);
    const result = await podman.runner([
      "sh",
      "-c",
      'tar -C "$1" -c . | "$2" import --change "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin" - "$3"',
      "sh",
      root,
      podman.cli,
      BUSYBOX_IMAGE,
    ]);
    if (result.exitCode !== 0) throw new Error(`podman import failed: ${result.output.stderr}`);
    return BUSYBOX_IMAGE;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** A running container the tests made; removed when disposed. */
export interface TestContainer extends AsyncDisposable {
  /** Its name. */
  readonly name: string;
  /** Its full id. */
  readonly id: string;
}

/** Starts (or with `start: false`, only creates) a container from `image`, without network. */
export async function testContainer(
  podman: Podman,
  image: string,
  options: { start?: boolean } = {},
): Promise<TestContainer> {
  const name = `skiff-test-${crypto.randomUUID().slice(0, 8)}`;
  const verb = options.start === false ? "create" : "run";
  const flags = options.start === false ? [] : ["-d"];
  const id = (await podman.podman(
    verb,
    ...flags,
    "--init",
    "--name",
    name,
    "--network=none",
    "--entrypoint",
    "sleep",
    image,
    "infinity",
  )).trim();
  return {
    name,
    id,
    [Symbol.asyncDispose]: async () => {
      await podman.runner([podman.cli, "rm", "-f", "-t", "0", name]);
    },
  };
}

/** Ids of every container podman knows, running or not. */
export async function allContainerIds(podman: Podman): Promise<string[]> {
  const out = await podman.podman("ps", "-a", "--no-trunc", "--format", "{{.ID}}");
  return out.split("\n").filter((line) => line !== "").sort();
}

/** Runs a process and returns its result without throwing (for podman checks in tests). */
export function runRaw(podman: Podman, args: string[]): Promise<ProcessResult> {
  return podman.runner([podman.cli, ...args]);
}
