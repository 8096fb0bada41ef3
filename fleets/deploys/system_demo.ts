/**
 * A system deploy for Debian: installs nginx and git, creates a `site` group
 * and a `deploy` user with an authorized key, clones the site repository,
 * writes a templated nginx site, and makes sure nginx runs and starts at boot
 * (restarted when the site config changed). The first run changes each of
 * these; the second changes nothing.
 *
 * Host data: `site_repo` (URL or path of the repository, required),
 * `site_port` (default 8080), `deploy_key` (an SSH public key line).
 */
import type { DeployContext } from "../../lib/api/mod.ts";

export default async function ({ host, ops }: DeployContext) {
  const repo = host.data.site_repo;
  if (typeof repo !== "string") throw new Error("Set the host data key site_repo");
  await ops.apt.packages(["nginx-light", "git"], {
    update: true,
    cacheTime: 3600,
    noRecommends: true,
  });
  await ops.server.group("site");
  await ops.server.user("deploy", {
    shell: "/bin/sh",
    groups: ["site"],
    publicKeys: typeof host.data.deploy_key === "string" ? [host.data.deploy_key] : [],
  });
  await ops.git.repo(repo, "/srv/site", { branch: "main" });
  await ops.files.file("/etc/nginx/sites-enabled/default", { present: false });
  const site = await ops.files.template(
    "templates/site.conf.j2",
    "/etc/nginx/sites-enabled/skiff-site",
    { data: { root: "/srv/site", server_names: [host.name, "localhost"] }, mode: "644" },
  );
  await ops.systemd.service("nginx", { running: true, enabled: true, changed: site.changed });
}
