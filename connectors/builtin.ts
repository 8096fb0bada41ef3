/**
 * The connectors that ship with skiff.
 *
 * @module
 */

import { LocalConnector } from "./local.ts";
import { ConnectorRegistry } from "./registry.ts";

/** A registry holding every built-in connector. */
export function builtinRegistry(): ConnectorRegistry {
  return new ConnectorRegistry([LocalConnector]);
}
