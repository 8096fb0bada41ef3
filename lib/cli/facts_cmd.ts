/**
 * `skiff facts TARGETS [FACT…]`: gather facts from every host.
 *
 * @module
 */

import type { ConnectorContext } from "../../connectors/base.ts";
import type { ControlArguments } from "../core/arguments.ts";
import { hint } from "../core/data_meta.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { DEFAULT_FACTS, FACTS } from "../facts/registry.ts";
import type { Inventory } from "../inventory/inventory.ts";
import { mapPool } from "../run/pool.ts";
import { withHost } from "../run/with_host.ts";
import type { CliIo } from "../report/io.ts";
import { hostPainter } from "../report/paint.ts";

/** A fact named on the command line: `server.os` or `files.stat:/etc/hosts`. */
export interface FactRequest {
  name: string;
  args: string[];
  label: string;
}

/** Parses `name[:arg]` fact names, checking they exist. */
export function parseFactNames(names: readonly string[]): FactRequest[] {
  const list = names.length > 0 ? names : [...DEFAULT_FACTS];
  return list.map((label) => {
    const index = label.indexOf(":");
    const name = index === -1 ? label : label.slice(0, index);
    const args = index === -1 ? [] : [label.slice(index + 1)];
    const definition = FACTS[name];
    if (!definition) {
      throw new InputError(
        `Unknown fact "${name}"${hint(name, Object.keys(FACTS))}: known facts are ${
          Object.keys(FACTS).join(", ")
        }`,
      );
    }
    if (definition.command.length > args.length) {
      throw new InputError(`Fact ${name} needs an argument: write ${name}:VALUE`);
    }
    return { name, args, label };
  });
}

/** Gathers the facts and prints them; returns the exit code. */
export async function runFacts(
  request: {
    inventory: Inventory;
    facts: FactRequest[];
    cliArguments: ControlArguments;
    json: boolean;
    parallel: number;
    context: ConnectorContext;
  },
  io: CliIo,
): Promise<number> {
  const paint = hostPainter(io);
  const results = await mapPool(request.inventory.hosts, request.parallel, async (host) => {
    const values: Record<string, unknown> = {};
    const outcome = await withHost(host, {
      context: request.context,
      cliArguments: request.cliArguments,
      signal: io.signal,
    }, async (session) => {
      for (const fact of request.facts) {
        try {
          values[fact.label] = await session.fact(FACTS[fact.name], ...fact.args);
        } catch (error) {
          values[fact.label] = { error: session.mask(errorMessage(error)) };
        }
      }
    });
    return outcome.ok
      ? { host: host.name, values }
      : { host: host.name, error: outcome.error, values };
  });
  if (request.json) {
    const out: Record<string, unknown> = {};
    for (const result of results) {
      out[result.host] = result.error ? { error: result.error } : result.values;
    }
    io.out(JSON.stringify(out, null, 2) + "\n");
  } else {
    for (const result of results) {
      if (result.error) {
        io.err(`${paint.prefix(result.host)}${paint.error(result.error)}\n`);
        continue;
      }
      for (const [label, value] of Object.entries(result.values)) {
        const text = typeof value === "string" ? value : JSON.stringify(value);
        io.out(`${paint.prefix(result.host)}${label}: ${text}\n`);
      }
    }
  }
  return results.some((r) => r.error) ? 1 : 0;
}
