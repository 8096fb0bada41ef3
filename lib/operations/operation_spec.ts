/**
 * How an operation is declared: its arguments, what it acts on, what it may
 * change, and its run. Each operation's definition (`define_op.ts`,
 * `defs/`) is one.
 *
 * @module
 */

import type { OperationResult } from "../api/mod.ts";
import type { OpContext } from "./context.ts";
import type { MayChange } from "./effects.ts";
import type { LocalAccess } from "./local_paths.ts";
import type { OperationScope } from "./scope.ts";

/** How an operation takes its arguments. */
export interface OperationSpec {
  /** Number of positional arguments before the options object. */
  readonly positional: number;
  /** Option names it accepts (besides control arguments). */
  readonly options: readonly string[];
  /**
   * What the call acts on, for reports: the option holding it (`"name"`,
   * `"packages"`), or a function of the positional arguments. Absent: the
   * first positional argument.
   */
  readonly subject?: string | ((positional: readonly unknown[]) => unknown);
  /**
   * The arguments that name local paths (a positional index or an option
   * name) and whether the operation reads or writes them. The dispatcher
   * checks each against the local-path policy before the operation runs; a
   * value that is not a string (`{ content }`) is not a path.
   */
  readonly localPaths?: readonly LocalPathArgument[];
  /**
   * What it acts on besides files, where that is the kernel or the machine
   * (see `scope.ts`): on a chroot or a container the dispatcher refuses a
   * `"machine"` operation, and a `"files-in-shared-kernel"` one does only
   * its file part. Absent: meaningful on every host.
   */
  readonly scope?: OperationScope;
  /**
   * What it may change on the host (see `effects.ts`), made unknown in a dry
   * run when its prediction cannot be exact. Absent: anything (opaque, like
   * `server.shell`). Its exact effect it states itself while it runs in a
   * dry run (`OpContext.prediction`).
   */
  readonly mayChange?: MayChange;
  /** What to say of an unknown option that is no typo of a known one (a hint in parentheses). */
  readonly unknownOption?: (key: string) => string;
  /** Runs it. */
  // deno-lint-ignore no-explicit-any
  readonly run: (ctx: OpContext, ...args: any[]) => Promise<OperationResult>;
}

/** An argument of an operation that names a local path. */
export interface LocalPathArgument {
  /** Positional index, or option name. */
  readonly at: number | string;
  /** What the operation does with it. */
  readonly access: LocalAccess;
}
