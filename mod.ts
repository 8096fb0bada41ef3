/**
 * skiff's public API for deploy modules, user connectors and boats.
 *
 * ```ts
 * import { BaseConnector, sh } from "./mod.ts";
 * ```
 *
 * @module
 */

export { Command, quote, raw, secret, SecretValue, sh } from "./lib/command.ts";
export type { Interpolation } from "./lib/command.ts";
export {
  CONTROL_ARGUMENTS,
  extractControlArguments,
  mergeControlArguments,
} from "./lib/arguments.ts";
export type { ConnectorArguments, ControlArguments, StdinValue } from "./lib/arguments.ts";
export { makeUnixCommand } from "./lib/unix_command.ts";
export { CommandOutput } from "./lib/output.ts";
export type { OutputLine, StreamName } from "./lib/output.ts";
export { BaseConnector, hostToConnectorData } from "./connectors/base.ts";
export type {
  CommandResult,
  ConnectorClass,
  ConnectorContext,
  FileDestination,
  FileSource,
  HostInfo,
  NameData,
  PutOptions,
  RunOptions,
} from "./connectors/base.ts";
export type { DataMeta, DataType } from "./lib/data_meta.ts";
export { ConnectError, InputError, OperationError } from "./lib/errors.ts";
export type * from "./lib/deploy/types.ts";
