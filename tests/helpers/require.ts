/**
 * Makes sure a program the tests use is installed: installs its Debian
 * package with apt-get when running as root, and otherwise fails (never
 * skips) with the exact package to install.
 *
 * @module
 */

import { runProcess } from "../../lib/process.ts";

const EXTRA_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/** The absolute path of executable `name` on PATH (or an sbin directory), if any. */
export async function findCommand(name: string): Promise<string | undefined> {
  const dirs = [
    ...(Deno.env.get("PATH") ?? "").split(":").filter((dir) => dir !== ""),
    ...EXTRA_DIRS,
  ];
  for (const dir of dirs) {
    const path = `${dir}/${name}`;
    try {
      const info = await Deno.stat(path);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

async function aptGet(args: string[]): Promise<boolean> {
  const result = await runProcess(["apt-get", "-qq", ...args], {
    env: { DEBIAN_FRONTEND: "noninteractive" },
  });
  return result.exitCode === 0;
}

/**
 * Returns the path of `name`, installing `debianPackage` first when it is
 * missing and the tests run as root. Throws when it cannot be had.
 *
 * @example
 * ```ts ignore
 * import { requireCommand } from "./require.ts";
 * const podman = await requireCommand("podman", "podman");
 * ```
 */
export async function requireCommand(name: string, debianPackage: string): Promise<string> {
  const found = await findCommand(name);
  if (found) return found;
  if (Deno.uid() === 0 && await findCommand("apt-get")) {
    const install = ["install", "-y", "--no-install-recommends", debianPackage];
    if ((await aptGet(install)) || ((await aptGet(["update"])) && (await aptGet(install)))) {
      const installed = await findCommand(name);
      if (installed) return installed;
    }
  }
  throw new Error(
    `The tests need "${name}": install the Debian package "${debianPackage}" (apt-get install -y ${debianPackage})`,
  );
}

/** Throws unless the tests run as root, saying what needs it. */
export function requireRoot(what: string): void {
  if (Deno.uid() !== 0) throw new Error(`${what} needs root: run the tests as root (CI does)`);
}
