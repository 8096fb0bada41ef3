/**
 * A cheap connector for fleet-scale output tests: `@cheap/NAME` hosts that
 * are the local machine under many names (the local connector's data keys), so a run
 * over 200 hosts needs no containers or servers.
 *
 * @module
 */

import { LocalConnector } from "../../connectors/local.ts";

/** `@cheap/NAME`: the local machine, named NAME. */
export default class CheapConnector extends LocalConnector {
  static override connectorName = "cheap";
  static override description = "The local machine under many names (tests only)";

  static override *makeNamesData(
    arg: string | undefined,
  ): Generator<{ name: string; data: Record<string, unknown>; groups: string[] }> {
    yield { name: `@cheap/${arg}`, data: {}, groups: ["@cheap"] };
  }
}
