/**
 * The connector registry: resolves `@name/arg` targets to connector classes.
 * Names without a leading `@` use ssh.
 *
 * @module
 */

import { InputError } from "../lib/core/errors.ts";
import { hint } from "../lib/core/data_meta.ts";
import type { ConnectorClass, NameData } from "./base.ts";

/** A target split into its connector and argument. */
export interface ResolvedTarget {
  /** The connector class. */
  connector: ConnectorClass;
  /** The part after `@name/`, or the whole name for bare ssh names. */
  arg: string | undefined;
}

/**
 * Splits a target into connector name and argument.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { splitTarget } from "./registry.ts";
 * deepStrictEqual(splitTarget("@chroot/srv/root"), { name: "chroot", arg: "srv/root" });
 * deepStrictEqual(splitTarget("web1"), { name: "ssh", arg: "web1" });
 * ```
 */
export function splitTarget(target: string): { name: string; arg: string | undefined } {
  if (!target.startsWith("@")) return { name: "ssh", arg: target };
  const slash = target.indexOf("/");
  if (slash === -1) return { name: target.slice(1), arg: undefined };
  return { name: target.slice(1, slash), arg: target.slice(slash + 1) };
}

/** A set of connector classes by name. Immutable once built: `with` returns a new registry. */
export class ConnectorRegistry {
  readonly #byName: ReadonlyMap<string, ConnectorClass>;

  /** Creates a registry of the given classes. */
  constructor(classes: Iterable<ConnectorClass> = []) {
    const map = new Map<string, ConnectorClass>();
    for (const cls of classes) map.set(cls.connectorName, cls);
    this.#byName = map;
  }

  /** A new registry with `cls` added (replacing one of the same name). */
  with(cls: ConnectorClass): ConnectorRegistry {
    return new ConnectorRegistry([...this.#byName.values(), cls]);
  }

  /** Every registered class, sorted by name. */
  list(): ConnectorClass[] {
    return [...this.#byName.values()].sort((a, b) =>
      a.connectorName.localeCompare(b.connectorName)
    );
  }

  /** The class named `name`, or an InputError listing the known connectors. */
  get(name: string): ConnectorClass {
    const cls = this.#byName.get(name);
    if (cls) return cls;
    const known = [...this.#byName.keys()].sort();
    throw new InputError(
      `Unknown connector "@${name}"${hint(name, known)}: known connectors are ${
        known.map((k) => `@${k}`).join(", ")
      }`,
    );
  }

  /** True when a connector of that name is registered. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Resolves a target string to its connector class and argument. */
  resolve(target: string): ResolvedTarget {
    const { name, arg } = splitTarget(target);
    return { connector: this.get(name), arg };
  }

  /** Resolves a target and expands it through the connector's `makeNamesData`. */
  async expand(target: string): Promise<(NameData & { connector: ConnectorClass })[]> {
    const { connector, arg } = this.resolve(target);
    const out: (NameData & { connector: ConnectorClass })[] = [];
    for await (const item of connector.makeNamesData(arg)) out.push({ ...item, connector });
    return out;
  }
}
