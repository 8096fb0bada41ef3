/**
 * A call's arguments as a deploy gives them: positional arguments, the
 * options object and control arguments split apart, and local sources read
 * with a clear error when they are missing.
 *
 * @module
 */

import { hint } from "../core/data_meta.ts";
import { InputError } from "../core/errors.ts";
import { type LocalAccess, type LocalPathPolicy, MissingLocalSource } from "./local_paths.ts";
import { pyinfraHint } from "./pyinfra_names.ts";
import type { LocalFileCache } from "./local_files.ts";

/** What {@linkcode splitCall} needs of an operation's definition. */
export interface CallShape {
  /** Number of positional arguments before the options object. */
  readonly positional: number;
  /** Option names it accepts (besides control arguments). */
  readonly options: readonly string[];
  /** What to say of an unknown option that is no typo of a known one. */
  readonly unknownOption?: (key: string) => string;
}

/** The local files a call may touch. */
export interface LocalFiles {
  /** What may be read and written. */
  policy: LocalPathPolicy;
  /** The directory relative local paths are resolved against (the deploy's). */
  base: string;
  /** The deploy's name, for messages. */
  deploy?: string;
  /**
   * Reads checked real paths: the runner keeps one for the whole run, so
   * small files are read once and large ones hashed once (default: a new one per call).
   */
  files?: LocalFileCache;
  /** Told every local path the call resolves, checked, with its access (a plan digests what is read). */
  resolved?: (path: string, access: LocalAccess) => void;
}

/** Splits the trailing options/control objects of a call. */
export function splitCall(
  name: string,
  spec: CallShape,
  args: readonly unknown[],
): { positional: unknown[]; options: Record<string, unknown>; control: Record<string, unknown> } {
  if (args.length > spec.positional + 2) {
    throw new InputError(
      `${name}: expected at most ${spec.positional + 2} arguments, got ${args.length}`,
    );
  }
  // Missing trailing positionals stay undefined, so options never slide into their place.
  const positional = Array.from({ length: spec.positional }, (_, i) => args[i]);
  const options: Record<string, unknown> = {};
  const control: Record<string, unknown> = {};
  for (const [index, extra] of args.slice(spec.positional).entries()) {
    if (extra === undefined || extra === null) continue;
    if (typeof extra !== "object" || Array.isArray(extra)) {
      throw new InputError(
        `${name}: argument ${spec.positional + index + 1} must be an options object`,
      );
    }
    for (const [key, value] of Object.entries(extra)) {
      if (key.startsWith("_")) control[key] = value;
      else if (index === 0 && spec.options.includes(key)) options[key] = value;
      else {
        const why = pyinfraHint(name, key, spec.options) || hint(key, spec.options) ||
          (spec.unknownOption?.(key) ?? "");
        throw new InputError(`${name}: unknown option "${key}"${why}`);
      }
    }
  }
  return { positional, options, control };
}

/**
 * Reads a local source; a missing one is a {@linkcode MissingLocalSource}
 * naming the deploy, the operation, the path as given and as resolved (exit
 * 2, said once per run).
 */
export async function readSource<T>(
  given: string,
  { read, resolveLocal, local, name }: {
    read: (path: string) => Promise<T>;
    resolveLocal: (path: string, access: LocalAccess) => string;
    local: LocalFiles;
    name: string;
  },
): Promise<T> {
  const path = resolveLocal(given, "read");
  try {
    return await read(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new MissingLocalSource(name, given, {
      deploy: local.deploy,
      base: local.base,
      resolved: path,
    });
  }
}
