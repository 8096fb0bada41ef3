/**
 * `server.modprobe`: a kernel module loaded now and, with `persist`, at boot
 * (its file in /etc/modules-load.d).
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { file, put } from "./files.ts";
import { predict, readKey } from "./predicted_facts.ts";
import { sharedKernelRefusal } from "./scope.ts";

/** Where `persist` writes a module's file. */
export const MODULES_LOAD_DIR = "/etc/modules-load.d";

/** The predicted-state key of whether a module is loaded. */
export function moduleKey(name: string): string {
  return `module:${name.replaceAll("-", "_")}`;
}

/** The file `persist` writes for a module. */
export function modulesLoadFile(name: string): string {
  return `${MODULES_LOAD_DIR}/${name}.conf`;
}

/**
 * `server.modprobe(module, {present, persist})`: the module loaded
 * (`modprobe`) or, with `present: false`, unloaded (`modprobe -r`), as
 * /sys/module tells; with `persist` its own file
 * `/etc/modules-load.d/MODULE.conf` holding its name, or removed with
 * `present: false`. On a chroot or a container only that file is written.
 */
export async function modprobe(
  ctx: OpContext,
  name: unknown,
  options: { present?: boolean; persist?: boolean },
): Promise<OperationResult> {
  if (typeof name !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)) {
    throw new InputError(
      `server.modprobe module: expected a module name such as "br_netfilter", got ${
        JSON.stringify(name)
      }`,
    );
  }
  const present = options.present ?? true;
  const builder = new ResultBuilder();
  if (ctx.sharedKernel !== undefined) {
    if (!options.persist) {
      throw sharedKernelRefusal("server.modprobe", {
        host: ctx.session.name,
        what: ctx.sharedKernel,
        instead: `pass persist: true to write only ${modulesLoadFile(name)} in the tree`,
      });
    }
  } else {
    // The kernel lists a module under its name with `-` as `_`.
    const sysName = name.replaceAll("-", "_");
    const loaded = await readKey(ctx, moduleKey(name), async () => {
      const [seen] = await runScript(
        ctx,
        sh`if [ -d /sys/module/${sysName} ]; then echo yes; else echo no; fi`,
        builder,
      );
      return seen === "yes";
    });
    if (loaded !== present) {
      builder.change(present ? `loaded module ${name}` : `unloaded module ${name}`);
      predict(ctx, moduleKey(name), present);
      if (!ctx.dryRun) {
        await runRecorded(
          ctx,
          present ? sh`modprobe -- ${name}` : sh`modprobe -r -- ${name}`,
          builder,
        );
      }
    }
  }
  if (options.persist) {
    const path = modulesLoadFile(name);
    builder.absorb(
      present
        ? await put(ctx, { content: `${name}\n` }, path, { mode: "644", createRemoteDir: true })
        : await file(ctx, path, { present: false }),
    );
  }
  if (ctx.sharedKernel !== undefined) {
    return builder.done(`module ${name} is ${present ? "" : "not "}in ${modulesLoadFile(name)}`);
  }
  return builder.done(present ? `module ${name} is loaded` : `module ${name} is not loaded`);
}
