/**
 * An example boat (a dynamic inventory): it yields one ssh host per name in
 * its config. A real boat would ask an API or read a state file. It imports
 * nothing: a boat is a plain object with `name`, `checkConnection` and a
 * `hosts(config)` generator of `[name, data]` pairs.
 *
 * ```yaml
 * fleet:
 *   boats:
 *     - provider: ./examples/static_boat.ts
 *       config: {names: [cache1, cache2]}
 * ```
 */

export default {
  name: "static",
  checkConnection: () => true,
  async *hosts(config: Record<string, unknown>): AsyncGenerator<[string, Record<string, unknown>]> {
    const names = Array.isArray(config.names) ? config.names.map(String) : [];
    for (const name of names) yield [name, { ssh_hostname: `${name}.internal`, role: "cache" }];
  },
};
