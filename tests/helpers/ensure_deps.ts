/**
 * Makes sure the real components the tests use are installed before they
 * run: installs Debian packages with apt-get when running as root, otherwise
 * stops with the exact packages to install.
 *
 * @module
 */

/** Program → Debian package that provides it. */
export const REQUIRED: Readonly<Record<string, string>> = {
  "/usr/sbin/sshd": "openssh-server",
  "/usr/bin/ssh": "openssh-client",
  "/usr/bin/ssh-keygen": "openssh-client",
  "/usr/bin/rsync": "rsync",
  "/usr/bin/sudo": "sudo",
  "/usr/bin/setpriv": "util-linux",
  "/usr/bin/git": "git",
  "/usr/sbin/debootstrap": "debootstrap",
  "/usr/bin/zstd": "zstd",
  "/usr/bin/podman": "podman",
  "/usr/sbin/runc": "runc",
  "/usr/libexec/podman/catatonit": "catatonit",
  "/bin/busybox": "busybox-static",
  "/usr/bin/doas": "opendoas",
  "/usr/bin/script": "bsdutils",
  "/usr/bin/ps": "procps",
  "/usr/bin/unshare": "util-linux",
  "/bin/mount": "mount",
};

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(argv: string[]): Promise<boolean> {
  const status = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return status.success;
}

if (import.meta.main) {
  const missing = new Set<string>();
  for (const [path, pkg] of Object.entries(REQUIRED)) {
    if (!(await exists(path))) missing.add(pkg);
  }
  if (missing.size > 0) {
    const packages = [...missing].sort();
    if (Deno.uid() !== 0) {
      console.error(
        `The tests need these Debian packages: sudo apt-get install -y ${packages.join(" ")}`,
      );
      Deno.exit(1);
    }
    console.error(`Installing ${packages.join(" ")} for the tests…`);
    const ok = (await run(["apt-get", "install", "-y", "-qq", ...packages])) ||
      ((await run(["apt-get", "update", "-qq"])) &&
        (await run(["apt-get", "install", "-y", "-qq", ...packages])));
    if (!ok) {
      console.error(
        `Could not install ${packages.join(" ")}: install them and run the tests again`,
      );
      Deno.exit(1);
    }
  }
}
