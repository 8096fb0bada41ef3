/**
 * Debian trees with packages installed from the machine's apt mirror
 * (each cached as its own tarball beside the minbase one: about a minute
 * the first time); MariaDB's restored fresh with the server running inside
 * it on its Unix socket only (`--skip-networking`).
 *
 * @module
 */

import { type DebianRoot, debianRoot } from "./debian_root.ts";
import { run, testCacheDir } from "./targets.ts";

/**
 * The cached tree `debian-bookworm-NAME.tar.zst`: the minbase tree with
 * `packages` installed from the machine's apt mirror, built on first use.
 */
export async function packageTarball(name: string, packages: readonly string[]): Promise<string> {
  const tarball = `${testCacheDir()}/debian-bookworm-${name}.tar.zst`;
  if (await Deno.stat(tarball).then(() => true, () => false)) return tarball;
  await using root = await debianRoot();
  await root.sh(
    `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${
      packages.join(" ")
    } >/dev/null 2>&1 && apt-get clean && rm -rf /var/lib/apt/lists/*`,
  );
  const partial = `${tarball}.${Deno.pid}`;
  await run([
    "sh",
    "-c",
    `tar -C "$1" --numeric-owner --exclude='./proc/*' -c . | zstd -q -T2 >"$2"`,
    "sh",
    root.path,
    partial,
  ]);
  await Deno.rename(partial, tarball);
  return tarball;
}

/** The cached tree with `mariadb-server`. */
export function mariadbTarball(): Promise<string> {
  return packageTarball("mariadb", ["mariadb-server"]);
}

/** A fresh tree with MariaDB running; disposing kills it with the tree's other processes. */
export async function mariadbRoot(): Promise<DebianRoot> {
  const root = await debianRoot(await mariadbTarball());
  await root.sh(`mkdir -p /run/mysqld && chown mysql: /run/mysqld
(mariadbd --user=mysql --skip-networking --socket=/run/mysqld/mysqld.sock >/var/log/mariadbd.log 2>&1 &)
i=0; until mysql -e 'SELECT 1' >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 60 ] || { cat /var/log/mariadbd.log >&2; exit 1; }; sleep 0.25; done`);
  return root;
}
