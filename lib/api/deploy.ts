/**
 * What a deploy module exports and what its default export receives.
 *
 * ```ts
 * import type { DeployContext } from "./deploy.ts";
 * async function deploy({ ops, host }: DeployContext): Promise<void> {
 *   await ops.server.shell(`echo hello from ${host.name}`);
 * }
 * typeof deploy; // "function"
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { Facts } from "./facts.ts";
import type { Operations } from "./operations.ts";
import type { Command, Interpolation, SecretValue } from "./values.ts";

/** The host a deploy runs on. */
export interface DeployHost {
  /** Inventory name. */
  name: string;
  /** Merged host data; secrets are SecretValue. */
  data: Record<string, unknown>;
  /** Groups it belongs to. */
  groups: string[];
}

/** What a deploy's default export receives. */
export interface DeployContext {
  /** The host. */
  host: DeployHost;
  /** The fleet document's configuration (keys outside `fleet:`). */
  config: Record<string, unknown>;
  /** Operations. */
  ops: Operations;
  /** Facts. */
  facts: Facts;
  /** True in a dry run: operations report and change nothing. */
  dryRun: boolean;
  /** Writes a line to the run's output for this host. */
  log(message: string): void;
  /** Makes a value secret (masked in every output). */
  secret(value: string): SecretValue;
  /** The quoting tagged template for commands: ``sh`rm -f ${path}` ``. */
  sh(strings: TemplateStringsArray, ...values: Interpolation[]): Command;
}

/** The shape of a deploy module. */
export interface DeployModule {
  /** The deploy function. */
  default: (ctx: DeployContext) => Promise<void> | void;
  /** The deploy's name for fleet restrictions (default: the file stem). */
  name?: string;
  /** Control arguments applied to every operation of this deploy. */
  defaults?: OpControl;
}
