/**
 * A rolling release for a small fleet (README "Coordinating hosts"):
 *
 * 1. every host stages the new release; no host goes on before all have it
 *    (`ctx.barrier("staged")`);
 * 2. the schema migration runs once for the whole fleet (`_run_once`), and
 *    nobody switches before it is done (`ctx.barrier("migrated")`);
 * 3. the hosts switch one after another, in inventory order: each waits
 *    for the one before it (`ctx.shared`), switches, restarts through a
 *    handler (only where the switch changed something) and tells the next
 *    (`ctx.share`). A host that fails stops the hosts after it.
 *
 * Host data: `app_root` (default /srv/app). Configuration: `release` (default "2").
 */
import type { DeployContext } from "../../mod.ts";

export default async function (ctx: DeployContext) {
  const { ops, host, sh } = ctx;
  const root = String(host.data.app_root ?? "/srv/app");
  const release = String(ctx.config.release ?? "2");
  const events = `${root}/events.log`;
  ctx.handler("restart app", async () => {
    await ops.server.shell([sh`echo "restart $(date +%s%N)" >> ${events}`]);
  });

  await ops.files.directory(`${root}/releases/${release}`);
  await ops.files.put({ content: `release=${release}\n` }, `${root}/releases/${release}/app.conf`);
  await ctx.barrier("staged");

  await ops.server.shell(
    [sh`echo "migrate to ${release} $(date +%s%N)" >> ${root}/migrations.log`],
    {
      _run_once: true,
    },
  );
  await ctx.barrier("migrated");

  const order = ctx.inventory.hosts.map((h) => h.name);
  const previous = order[order.indexOf(host.name) - 1];
  if (previous !== undefined) await ctx.shared(`switched ${previous}`, { timeout: 300 });
  await ops.files.link(`${root}/current`, `${root}/releases/${release}`, {
    _notify: "restart app",
  });
  await ctx.flushHandlers();
  await ctx.share(`switched ${host.name}`, true);
}
