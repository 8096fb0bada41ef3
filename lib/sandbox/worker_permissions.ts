/**
 * The Deno permissions of the Workers that run user code (deploy modules and
 * boats): read the given paths, nothing else: no writes, network, processes,
 * environment, system information, FFI or remote imports.
 *
 * @module
 */

/**
 * The permissions of a sandbox Worker that may read only `read`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { workerPermissions } from "./worker_permissions.ts";
 * const permissions = workerPermissions(["/srv/deploys"]);
 * deepStrictEqual(permissions.read, ["/srv/deploys"]);
 * deepStrictEqual(permissions.write, false);
 * ```
 */
export function workerPermissions(read: readonly string[]): Deno.PermissionOptionsObject {
  return {
    read: [...read],
    write: false,
    net: false,
    run: false,
    env: false,
    sys: false,
    ffi: false,
    import: false,
  };
}
