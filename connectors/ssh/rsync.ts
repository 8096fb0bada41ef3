/**
 * The local `rsync` command line for an `@ssh` host: its `-e ssh …` carries
 * the same port, known_hosts, host-key policy, key, config file and jump
 * hosts as the connection itself. Pure: connect first for the settings.
 *
 * @module
 */

import { quote } from "../../lib/core/command.ts";
import type { HopSettings } from "./settings.ts";

/** What the `ssh` under rsync needs. */
export interface RsyncOptions {
  /** The resolved settings of the host (user, host, port, known_hosts, policy). */
  settings: Pick<HopSettings, "user" | "host" | "port" | "knownHosts" | "strict">;
  /** `ssh_key`, as written in the host data. */
  key?: string;
  /** `ssh_config_file`, as written in the host data. */
  configFile?: string;
  /** `ssh_proxy_jump`, as written in the host data. */
  proxyJump?: string;
}

/**
 * The `ssh` command (one shell-quoted string) for rsync's `-e`.
 *
 * @example
 * ```ts
 * import { rsyncShell } from "./rsync.ts";
 * import { strictEqual } from "node:assert/strict";
 * const settings = {
 *   user: "deploy",
 *   host: "web1",
 *   port: 2222,
 *   knownHosts: ["/home/me/.ssh/known_hosts"],
 *   strict: "yes" as const,
 * };
 * strictEqual(
 *   rsyncShell({ settings, key: "/home/me/.ssh/id_ed25519" }),
 *   "ssh -p 2222 -o BatchMode=yes -o UserKnownHostsFile=/home/me/.ssh/known_hosts " +
 *     "-o StrictHostKeyChecking=yes -i /home/me/.ssh/id_ed25519",
 * );
 * ```
 */
export function rsyncShell(options: RsyncOptions): string {
  const s = options.settings;
  const parts = [
    "ssh",
    "-p",
    String(s.port),
    "-o",
    "BatchMode=yes",
    "-o",
    `UserKnownHostsFile=${s.knownHosts[0]}`,
    "-o",
    `StrictHostKeyChecking=${s.strict}`,
  ];
  if (options.key !== undefined) parts.push("-i", options.key);
  if (options.configFile !== undefined) parts.push("-F", options.configFile);
  if (options.proxyJump !== undefined) parts.push("-J", options.proxyJump);
  return parts.map(quote).join(" ");
}

/**
 * The argv that copies local `source` to `destination` on the host:
 * `rsync -e <ssh> --protect-args FLAGS -- SOURCE user@host:DESTINATION` (an
 * IPv6 address in brackets). `--protect-args` sends the paths inside rsync's
 * own protocol instead of on the remote shell's command line, where a path
 * with a newline, quotes or `$` would be split or mangled (rsync 3.2.4 and
 * later only backslash-escape it, and a backslash-newline is a line
 * continuation to the remote shell); `--` keeps a path starting with `-`
 * from being taken for an option.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { rsyncArgv } from "./rsync.ts";
 * const settings = {
 *   user: "deploy",
 *   host: "::1",
 *   port: 22,
 *   knownHosts: ["/k"],
 *   strict: "no" as const,
 * };
 * deepStrictEqual(rsyncArgv("site/", "/srv/site/", { settings, flags: ["-a"] }).slice(3), ["--protect-args", "-a", "--", "site/", "deploy@[::1]:/srv/site/"]);
 * ```
 */
export function rsyncArgv(
  source: string,
  destination: string,
  options: RsyncOptions & { flags: readonly string[] },
): string[] {
  const { user, host } = options.settings;
  const remote = `${user}@${host.includes(":") ? `[${host}]` : host}:${destination}`;
  return [
    "rsync",
    "-e",
    rsyncShell(options),
    "--protect-args",
    ...options.flags,
    "--",
    source,
    remote,
  ];
}
