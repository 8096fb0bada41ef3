/**
 * Every operation's definition, in the order `skiff ops`, the README table
 * and the deploy API list them. A new operation is one `defineOp` in its
 * family's file here, then `deno task gen`.
 *
 * ```ts
 * import { OPERATION_DEFINITIONS } from "./mod.ts";
 * OPERATION_DEFINITIONS.some((op) => op.name === "files.put"); // true
 * ```
 *
 * @module
 */

import type { OpDefinition } from "../define_op.ts";
import { FILES_OPS } from "./files.ts";
import { PACKAGE_OPS } from "./packages.ts";
import { SERVER_OPS } from "./server.ts";
import { SERVICE_OPS } from "./services.ts";

/** Every operation, by family. */
export const OPERATION_DEFINITIONS: readonly OpDefinition[] = [
  ...SERVER_OPS,
  ...FILES_OPS,
  ...PACKAGE_OPS,
  ...SERVICE_OPS,
];
