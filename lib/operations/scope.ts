/**
 * Where an operation is meaningful. A chroot or a container shares the
 * kernel of the machine that runs it, so an operation that acts on the
 * kernel or the machine (the running host name, live sysctl values, a
 * reboot) would reach that machine, often the operator's own. Such
 * operations declare it (`OperationSpec.scope`) and the dispatcher refuses
 * them there, or lets them do only their file part in the tree.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";

/**
 * What an operation acts on besides files:
 * - `"machine"`: the kernel or the machine; refused where the kernel is shared.
 * - `"files-in-shared-kernel"`: the kernel and files; where the kernel is
 *   shared it does only its file part (the operation reads
 *   `OpContext.sharedKernel`), and refuses what has no file part itself.
 */
export type OperationScope = "machine" | "files-in-shared-kernel";

/** Connectors whose hosts share the kernel of the machine that runs them, and what they are. */
const SHARED_KERNEL: Readonly<Record<string, string>> = {
  chroot: "a chroot",
  docker: "a container",
  podman: "a container",
  dockerssh: "a container",
};

/**
 * What a host is when it shares another machine's kernel ("a chroot", "a
 * container"), from the name of the connector that reaches it; undefined
 * for a machine of its own.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { sharedKernelOf } from "./scope.ts";
 * deepStrictEqual(sharedKernelOf({ connectorName: "chroot" }), "a chroot");
 * deepStrictEqual(sharedKernelOf({ connectorName: "podman" }), "a container");
 * deepStrictEqual(sharedKernelOf({ connectorName: "docker" }), "a container");
 * deepStrictEqual(sharedKernelOf({ connectorName: "ssh" }), undefined);
 * deepStrictEqual(sharedKernelOf({ connectorName: "local" }), undefined);
 * ```
 */
export function sharedKernelOf(connector: { connectorName: string }): string | undefined {
  return Object.hasOwn(SHARED_KERNEL, connector.connectorName)
    ? SHARED_KERNEL[connector.connectorName]
    : undefined;
}

/**
 * The error for an operation refused on a host that shares a kernel: what
 * it would have reached, and what to do instead.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { sharedKernelRefusal } from "./scope.ts";
 * deepStrictEqual(
 *   sharedKernelRefusal("server.reboot", { host: "@chroot/srv/web", what: "a chroot" }).message,
 *   'server.reboot is refused on "@chroot/srv/web": a chroot shares the kernel of the machine that runs it, so this would act on that machine; run it on that machine\'s own host',
 * );
 * ```
 */
export function sharedKernelRefusal(
  operation: string,
  where: { host: string; what: string; instead?: string },
): InputError {
  return new InputError(
    `${operation} is refused on "${where.host}": ${where.what} shares the kernel of the machine that runs it, so this would act on that machine; ${
      where.instead ?? "run it on that machine's own host"
    }`,
  );
}
