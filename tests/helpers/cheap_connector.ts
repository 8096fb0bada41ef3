/**
 * A cheap connector for fleet-scale output tests: `@cheap/NAME` hosts that
 * are the local machine under many names (a process per command), so a run
 * over 200 hosts needs no containers or servers.
 *
 * @module
 */

import { LocalConnector } from "../../connectors/local.ts";
import type { DataMeta } from "../../lib/core/data_meta.ts";

/** `@cheap/NAME`: the local machine, named NAME. */
export default class CheapConnector extends LocalConnector {
  static override connectorName = "cheap";
  static override dataMeta: Record<string, DataMeta> = {};
  static override description = "The local machine under many names (tests only)";

  static override *makeNamesData(
    arg: string | undefined,
  ): Generator<{ name: string; data: Record<string, unknown>; groups: string[] }> {
    yield { name: `@cheap/${arg}`, data: {}, groups: ["@cheap"] };
  }
}
