/**
 * A small deploy for the README's first command: it builds a directory with
 * a config file under `demo_root` (a host data key, default /tmp/skiff-demo).
 * The first run changes things; the second reports no changes.
 */
import type { DeployContext } from "../../mod.ts";

export default async function ({ host, ops, facts, log }: DeployContext) {
  const root = String(host.data.demo_root ?? "/tmp/skiff-demo");
  await ops.files.directory(root, { mode: "755" });
  await ops.files.directory(`${root}/conf.d`, { mode: "750" });
  await ops.files.put(
    { content: `# managed by skiff for ${host.name}\nport=8080\n` },
    `${root}/app.conf`,
    {
      mode: "644",
    },
  );
  await ops.files.line(`${root}/conf.d/tuning.conf`, "workers=4", {
    match: /^workers=/,
    create: true,
  });
  await ops.files.block(`${root}/motd`, "Welcome to skiff\nDeployed by a deploy", { create: true });
  await ops.files.link(`${root}/current`, `${root}/conf.d`);
  const os = await facts.server.os();
  log(`OS is ${os.name || os.id}`);
}
