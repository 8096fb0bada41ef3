/**
 * skiff's public API for deploy modules, user connectors and boats.
 *
 * ```ts
 * import { BaseConnector, sh } from "./mod.ts";
 * ```
 *
 * @module
 */

export { Command, quote, raw, secret, SecretValue, sh } from "./lib/core/command.ts";
export type { Interpolation } from "./lib/core/command.ts";
export {
  CONTROL_ARGUMENTS,
  extractControlArguments,
  mergeControlArguments,
} from "./lib/core/arguments.ts";
export type { ConnectorArguments, ControlArguments, StdinValue } from "./lib/core/arguments.ts";
export { makeUnixCommand } from "./lib/core/unix_command.ts";
export { CommandOutput } from "./lib/core/output.ts";
export type { OutputLine, StreamName } from "./lib/core/output.ts";
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
export type { DataMeta, DataType } from "./lib/core/data_meta.ts";
export { ConnectError, InputError, OperationError } from "./lib/core/errors.ts";
export type * from "./lib/api/mod.ts";
