/**
 * An example boat (a dynamic inventory): it yields one ssh host per name in
 * its config. A real boat would ask an API or read a state file.
 *
 * ```yaml
 * fleet:
 *   boats:
 *     - provider: ./examples/static_boat.ts
 *       config: {names: [cache1, cache2]}
 * ```
 */
import type { Boat } from "../../lib/inventory/boats/builtin.ts";

const boat: Boat = {
  name: "static",
  checkConnection: () => true,
  async *hosts(config: Record<string, unknown>) {
    const names = Array.isArray(config.names) ? config.names.map(String) : [];
    for (const name of names) yield [name, { ssh_hostname: `${name}.internal`, role: "cache" }];
  },
};

export default boat;
