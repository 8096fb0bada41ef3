/**
 * The public shapes deploy modules see, and the only source of `skiff types`.
 * A deploy needs no import to run; `import type { DeployContext } from
 * "skiff/mod.ts"` (or from the `skiff.d.ts` that `skiff types` writes) gives
 * editor help. Nothing under lib/api imports from outside lib/api.
 *
 * ```ts
 * import type { DeployContext } from "./mod.ts";
 * async function deploy({ ops, facts }: DeployContext): Promise<void> {
 *   if ((await facts.server.os()).id === "debian") {
 *     await ops.apt.packages(["nginx"], { update: true, _sudo: true });
 *   }
 * }
 * typeof deploy; // "function"
 * ```
 *
 * @module
 */

export type * from "./values.ts";
export type * from "./control.ts";
export type * from "./result.ts";
export type * from "./options.ts";
export type * from "./operations.ts";
export type * from "./ops_server.ts";
export type * from "./ops_files.ts";
export type * from "./ops_packages.ts";
export type * from "./ops_services.ts";
export type * from "./ops_containers.ts";
export type * from "./ops_apps.ts";
export type * from "./facts.ts";
export type * from "./deploy.ts";
export type * from "./connector.ts";
