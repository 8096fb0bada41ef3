/**
 * What a host's own data says about its connector: the one it picks with
 * `connector:` (keeping its short name), and keys that belong to another
 * connector: `chroot_directory` on a host that `@ssh` reaches is a fleet
 * written for the wrong connector, and would otherwise be ignored silently.
 *
 * @module
 */

import type { ConnectorClass } from "../../connectors/base.ts";
import { InputError } from "../core/errors.ts";

/** A host as a fleet or boat declares it, before its connector expands it. */
export interface DeclaredHost {
  name: string;
  data: Record<string, unknown>;
  source: string;
}

/** Data keys that may stand in for a connector's argument (`chroot_directory` for `@chroot/…`). */
const ARGUMENT_KEYS = ["directory", "identifier"] as const;

/**
 * What a declared host's connector expands: its `connector` data key (a
 * fleet or boat host that keeps a short name: `connector: local`,
 * `connector: "@chroot/srv/web"`, or `connector: chroot` with
 * `chroot_directory: /srv/web`, `connector: docker` with
 * `docker_identifier: web`) or else its name.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { expansionTarget } from "./connector_keys.ts";
 * strictEqual(expansionTarget({ name: "web", data: { connector: "chroot/srv/web" }, source: "f" }), "@chroot/srv/web");
 * strictEqual(expansionTarget({ name: "web", data: { connector: "chroot", chroot_directory: "/srv/web" }, source: "f" }), "@chroot/srv/web");
 * strictEqual(expansionTarget({ name: "web1", data: {}, source: "f" }), "web1");
 * ```
 */
export function expansionTarget(pending: DeclaredHost): string {
  const connector = pending.data.connector;
  if (connector === undefined) return pending.name;
  if (typeof connector !== "string" || connector.replace(/^@/, "") === "") {
    throw new InputError(
      `${pending.source}: host "${pending.name}": connector must name one, such as "local" or "@chroot/srv/web", got ${
        JSON.stringify(connector)
      }`,
    );
  }
  const target = connector.startsWith("@") ? connector : `@${connector}`;
  if (target.includes("/")) return target;
  for (const suffix of ARGUMENT_KEYS) {
    const argument = pending.data[`${target.slice(1)}_${suffix}`];
    if (typeof argument === "string" && argument !== "") {
      return `${target}/${argument.replace(/^\/+/, "")}`;
    }
  }
  return target;
}

/**
 * The connector a data key belongs to when it is not `own`'s: the one whose
 * prefix (`chroot_`, `docker_`) it carries. Undefined for `own`'s keys and
 * for keys of no connector's prefix (the deploy's own data).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { foreignConnectorOf } from "./connector_keys.ts";
 * import { builtinRegistry } from "../../connectors/builtin.ts";
 * const all = builtinRegistry().list();
 * const ssh = builtinRegistry().get("ssh");
 * deepStrictEqual(foreignConnectorOf("chroot_directory", ssh, all)?.connectorName, "chroot");
 * deepStrictEqual(foreignConnectorOf("ssh_user", ssh, all), undefined);
 * deepStrictEqual(foreignConnectorOf("app_port", ssh, all), undefined);
 * ```
 */
export function foreignConnectorOf(
  key: string,
  own: ConnectorClass,
  connectors: readonly ConnectorClass[],
): ConnectorClass | undefined {
  if (Object.hasOwn(own.dataMeta, key)) return undefined;
  return connectors.find((cls) =>
    cls.connectorName !== own.connectorName && key.startsWith(`${cls.connectorName}_`) &&
    Object.keys(cls.dataMeta).some((known) => known.startsWith(`${cls.connectorName}_`))
  );
}

/**
 * Throws an InputError for the first of a host's own data keys that belongs
 * to another connector, naming that connector and how to choose it.
 * `where(key)` says where the key was written.
 */
export function checkForeignKeys(
  host: { name: string; data: Record<string, unknown> },
  own: ConnectorClass,
  options: { connectors: readonly ConnectorClass[]; where: (key: string) => string },
): void {
  for (const key of Object.keys(host.data)) {
    const owner = foreignConnectorOf(key, own, options.connectors);
    if (owner === undefined) continue;
    const name = owner.connectorName;
    throw new InputError(
      `${
        options.where(key)
      }: host "${host.name}": ${key} belongs to the ${name} connector: write connector: ${name} on the host (it is reached by @${own.connectorName} now)`,
    );
  }
}
