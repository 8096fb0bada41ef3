/**
 * SSH targets as people write them: `host`, `user@host`, `host:port`,
 * `[v6]:port`.
 *
 * @module
 */

import { InputError } from "../../lib/core/errors.ts";

/** The parts of an SSH target; absent parts come from ssh_config or defaults. */
export interface SshTarget {
  /** Host name, alias or address (without brackets). */
  host: string;
  /** The user before `@`, if any. */
  user?: string;
  /** The port after `:`, if any. */
  port?: number;
}

/**
 * Splits `user@host:port` (and `[v6]:port`) into its parts.
 *
 * @example
 * ```ts
 * import { parseSshTarget } from "./target.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * deepStrictEqual(parseSshTarget("deploy@10.0.0.5:2222"), {
 *   host: "10.0.0.5",
 *   user: "deploy",
 *   port: 2222,
 * });
 * deepStrictEqual(parseSshTarget("[::1]:22"), { host: "::1", port: 22 });
 * ```
 */
export function parseSshTarget(target: string): SshTarget {
  let rest = target;
  let user: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at !== -1) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let port: number | undefined;
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    rest = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else if (/^[^:]+:\d+$/.test(rest)) {
    const colon = rest.lastIndexOf(":");
    port = Number(rest.slice(colon + 1));
    rest = rest.slice(0, colon);
  }
  if (rest === "" || (port !== undefined && (port < 1 || port > 65535))) {
    throw new InputError(`Bad ssh target "${target}": expected [user@]host[:port]`);
  }
  const out: SshTarget = { host: rest };
  if (user) out.user = user;
  if (port !== undefined) out.port = port;
  return out;
}
