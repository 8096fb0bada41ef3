/**
 * Several real sshd hosts at once, and a fleet file naming them: `count`
 * servers (one client key for all), `hosts` names spread over them in turn.
 *
 * @module
 */

import { startSshd, TEST_USER, type TestSshd } from "./sshd.ts";

/** Running servers and the fleet file that reaches them. */
export interface SshFleet extends AsyncDisposable {
  /** The servers. */
  readonly servers: TestSshd[];
  /** The host names, in fleet order. */
  readonly names: string[];
  /**
   * Writes `dir/fleet.yml` (with `extra` lines inside `fleet:` and each
   * host's `data`) and returns its path.
   */
  write(
    dir: string,
    extra?: string,
    data?: (name: string) => Record<string, string>,
  ): Promise<string>;
}

/** Starts `count` sshd servers for `names` (host `i` on server `i % count`). */
export async function sshFleet(count: number, names: string[]): Promise<SshFleet> {
  const servers: TestSshd[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const authorize = i === 0 ? [] : [await Deno.readTextFile(`${servers[0].clientKey}.pub`)];
      servers.push(await startSshd({ authorize }));
    }
  } catch (error) {
    for (const server of servers) await server[Symbol.asyncDispose]();
    throw error;
  }
  return {
    servers,
    names,
    write: async (dir, extra = "", data = () => ({})) => {
      const known = servers.map((s) => Deno.readTextFileSync(s.knownHosts)).join("");
      await Deno.writeTextFile(`${dir}/known_hosts`, known);
      const hosts = names.map((name, i) => {
        const extraData = Object.entries(data(name)).map(([k, v]) =>
          `, ${k}: ${JSON.stringify(v)}`
        );
        return `    ${name}: {ssh_port: ${servers[i % servers.length].port}${extraData.join("")}}`;
      });
      const lines = [
        "fleet:",
        "  data:",
        "    ssh_hostname: 127.0.0.1",
        `    ssh_user: ${TEST_USER}`,
        `    ssh_key: ${servers[0].clientKey}`,
        `    ssh_known_hosts_file: ${dir}/known_hosts`,
        "    ssh_allow_agent: false",
        "    ssh_config_file: /dev/null",
        "  hosts:",
        ...hosts,
        ...(extra ? [extra] : []),
      ];
      await Deno.writeTextFile(`${dir}/fleet.yml`, lines.join("\n") + "\n");
      return `${dir}/fleet.yml`;
    },
    [Symbol.asyncDispose]: async () => {
      for (const server of servers) await server[Symbol.asyncDispose]();
    },
  };
}
