/**
 * Runs a user boat module in a Worker that may read only the boat's own
 * directory: no network, no subprocesses, no environment, no writes. Boats
 * that need a command use the built-in `command` provider instead.
 *
 * @module
 */

import { workerPermissions } from "./worker_permissions.ts";
import { decode } from "./codec.ts";
import { InputError } from "../core/errors.ts";

/** Imports `path` in a sandboxed worker and returns the boat's hosts. */
export async function runSandboxedBoat(
  path: string,
  config: Record<string, unknown>,
  timeoutSeconds = 30,
): Promise<{ name?: string; hosts: unknown }> {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const worker = new Worker(new URL("./boat_worker.ts", import.meta.url), {
    type: "module",
    name: "skiff-boat",
    deno: {
      permissions: workerPermissions([dir]),
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise((resolve, reject) => {
      timer = setTimeout(
        () => reject(new InputError(`did not answer within ${timeoutSeconds} s`)),
        timeoutSeconds * 1000,
      );
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new InputError(event.message));
      };
      worker.onmessage = (event) => {
        const message = event.data as {
          ok: boolean;
          name?: string;
          hosts?: unknown;
          message?: string;
        };
        if (message.ok) resolve({ name: message.name, hosts: decode(message.hosts) });
        else reject(new InputError(message.message ?? "failed"));
      };
      worker.postMessage({ path, config });
    });
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
}
