/**
 * The pattern of pyinfra-examples' `full-deploys/foundationdb-cluster`,
 * ported: every host of the `fdb` group gets the same cluster file, whose
 * coordinators are the group's addresses (worked out once per run with
 * `ctx.runOnce`), its own server configuration, a host name and a kernel
 * setting. On a `@chroot` or container host the host name and the sysctl
 * are written only as files in the tree (`/etc/hostname`,
 * `/etc/sysctl.d/99-skiff.conf`): a chroot shares its machine's kernel.
 * The hosts wait for each other before the last step.
 *
 * Host data: `fdb_address`, `fdb_hostname`; config: `fdb.cluster_id`,
 * `fdb.port` (default 4500).
 */
import type { DeployContext } from "../../lib/api/mod.ts";

/** What the deploy reads from host data. */
export interface FdbNode {
  fdb_address: string;
  fdb_hostname: string;
}

/** What the deploy reads from the fleet's configuration. */
export interface FdbConfig {
  fdb: { cluster_id: string; port?: number };
}

export default async function (ctx: DeployContext<FdbNode, FdbConfig>) {
  const { host, ops, config } = ctx;
  const port = config.fdb.port ?? 4500;
  await ops.server.hostname(host.data.fdb_hostname);
  await ops.files.directory("/etc/sysctl.d", { mode: "755" });
  await ops.server.sysctl("vm.swappiness", 1, { persist: true });
  const cluster = await ctx.runOnce("fdb-cluster-file", () => {
    const coordinators = ctx.inventory.group("fdb")
      .map((node) => `${String(node.data.fdb_address)}:${port}`)
      .join(",");
    return `skiff:${config.fdb.cluster_id}@${coordinators}\n`;
  });
  await ops.server.group("foundationdb", { system: true });
  await ops.server.user("foundationdb", { group: "foundationdb", system: true });
  await ops.files.directory("/var/lib/foundationdb/data", {
    user: "foundationdb",
    group: "foundationdb",
    mode: "750",
  });
  await ops.files.put({ content: cluster }, "/etc/foundationdb/fdb.cluster", {
    user: "foundationdb",
    group: "foundationdb",
    mode: "664",
    createRemoteDir: true,
  });
  await ops.files.template(
    "templates/foundationdb.conf.j2",
    "/etc/foundationdb/foundationdb.conf",
    {
      data: { address: host.data.fdb_address, port },
    },
  );
  await ctx.barrier("fdb-configured");
}
