/**
 * A disposable Debian bookworm minbase tree for package, service and user
 * tests, restored from the tarball `targets.ts` builds and caches (about 2.5
 * minutes the first time, about a second after that), with /proc mounted.
 *
 * @module
 */

import { ChrootConnector } from "../../connectors/chroot.ts";
import { runProcess } from "../../lib/process.ts";
import { dryThenReal, type Step, type StepOutcome } from "./predict.ts";
import { debianTarball, run } from "./targets.ts";

/** A restored tree; disposing kills its processes, unmounts /proc and removes it. */
export interface DebianRoot extends AsyncDisposable {
  /** Absolute path of the tree. */
  readonly path: string;
  /** Runs a shell script inside the tree (`chroot PATH sh -c`), returning stdout. */
  sh(script: string): Promise<string>;
}

/** Restores a fresh copy of the cached tree, or of `tarball` (a tree built from it), with /proc mounted. */
export async function debianRoot(tarball?: string): Promise<DebianRoot> {
  tarball ??= await debianTarball();
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

/** Runs `steps` as a dry run, then for real, in `root` through a real ChrootConnector. */
export async function treeRuns(
  root: DebianRoot,
  steps: readonly Step[],
): Promise<{ dry: StepOutcome[]; real: StepOutcome[] }> {
  const host = { name: "debian", data: { chroot_directory: root.path }, groups: ["all"] };
  const connector = new ChrootConnector(host, { runProcess });
  await connector.connect();
  try {
    return await dryThenReal({ host, connector }, steps);
  } finally {
    await connector.disconnect();
  }
}
