/**
 * The Deno permissions skiff runs with. `lib/build/permissions.flags` is the one
 * source of truth: `deno task skiff`, `deno task compile` and the tests all
 * read it, and `skiff doctor` prints it.
 *
 * @module
 */

import flagsText from "./permissions.flags" with { type: "text" };
import runtimeText from "./runtime.flags" with { type: "text" };

/** The flags of a flags file, one per entry. */
function flagsOf(text: string): readonly string[] {
  return text.split(/\s+/).filter((flag) => flag !== "");
}

/** The permission flags, one per entry, exactly as passed to `deno run` and `deno compile`. */
export const PERMISSION_FLAGS: readonly string[] = flagsOf(flagsText);

/**
 * Runtime flags baked in beside the permissions (`lib/build/runtime.flags`). V8's
 * young generation is capped at 1 MiB per semi-space: the default (up to
 * 16 MiB) let a 32-host run hold some 60 MiB of short-lived transfer
 * buffers before a scavenge freed them (bench/deploy_bench.ts).
 */
export const RUNTIME_FLAGS: readonly string[] = flagsOf(runtimeText);

/** Every flag `deno task skiff` and the binary run with: permissions, then runtime flags. */
export const RUN_FLAGS: readonly string[] = [...PERMISSION_FLAGS, ...RUNTIME_FLAGS];

/** Why skiff needs each permission and what breaks without it. Keyed by flag name. */
export const PERMISSION_REASONS: Readonly<Record<string, { why: string; without: string }>> = {
  "--allow-read": {
    why: "read fleet files, deploy modules, templates, SSH keys, ~/.ssh/config and known_hosts",
    without: "no fleet or deploy can be loaded and no key can be used",
  },
  "--allow-write": {
    why: "write files for @local and @chroot hosts, downloads, plans and new known_hosts lines",
    without: "uploads to local targets, `files.get`, `--plan` and `accept-new` fail",
  },
  "--allow-net": {
    why: "open SSH connections to hosts and the SSH agent socket",
    without: "no @ssh host can be reached",
  },
  "--allow-run": {
    why:
      "run sh for @local hosts and boats, rsync for file sync, docker/podman, chroot and unshare",
    without: "@local, @docker, @podman, @chroot, rsync and command boats fail",
  },
  "--allow-env": {
    why: "find the home directory, the user, the SSH agent, and honour NO_COLOR/TERM/COLUMNS",
    without: "~/.ssh is not found, the agent is not used, colour cannot be turned off",
  },
  "--ignore-env": {
    why: "libraries that probe other environment variables see them unset instead of failing",
    without: "a dependency's probe of an unlisted variable would be a permission error",
  },
  "--allow-sys": {
    why: "the local host name, OS release and user ids for facts about @local and `skiff doctor`",
    without: "local facts and doctor report less",
  },
  "--no-prompt": {
    why: "a missing permission fails at once with an explanation instead of waiting at a prompt",
    without: "a run on a bastion could stop at a permission prompt nobody answers",
  },
};

/**
 * The flag's name without its value.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { flagName } from "./permissions.ts";
 * deepStrictEqual(flagName("--allow-run=sh,ssh"), "--allow-run");
 * ```
 */
export function flagName(flag: string): string {
  const index = flag.indexOf("=");
  return index === -1 ? flag : flag.slice(0, index);
}
