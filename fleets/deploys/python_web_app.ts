/**
 * The pattern of pyinfra-examples' `python-web-app`, ported: a system user
 * and group for the app, its directories, a templated configuration and a
 * service unit, and a restart step that runs only when one of them changed
 * (named with `_name`, so the output says what it is). The second run
 * changes nothing.
 *
 * Host data (typed, see {@linkcode WebApp}): `app_name`, `app_port`,
 * `server_names`, and optionally `app_workers` (default 2).
 */
import type { DeployContext } from "../../lib/api/mod.ts";

/** What the deploy reads from host data. */
export interface WebApp {
  app_name: string;
  app_port: number;
  server_names: string[];
  app_workers?: number;
}

export default async function ({ host, ops, sh }: DeployContext<WebApp>) {
  const { app_name: app, app_port, server_names } = host.data;
  const home = `/srv/${app}`;
  await ops.server.group(app, { system: true });
  await ops.server.user(app, { group: app, home, shell: "/usr/sbin/nologin", system: true });
  for (const dir of [home, `${home}/releases`, `${home}/shared`]) {
    await ops.files.directory(dir, { user: app, group: app, mode: "755" });
  }
  const config = await ops.files.template("templates/web_app.conf.j2", `/etc/${app}/app.conf`, {
    data: { app_name: app, app_port, server_names, workers: host.data.app_workers ?? 2 },
    mode: "640",
    group: app,
    createRemoteDir: true,
  });
  const unit = await ops.files.put(
    {
      content: `[Unit]\nDescription=${app}\n\n[Service]\nUser=${app}\nWorkingDirectory=${home}\n` +
        `ExecStart=${home}/venv/bin/gunicorn -c /etc/${app}/app.conf app:app\n\n` +
        `[Install]\nWantedBy=multi-user.target\n`,
    },
    `/etc/systemd/system/${app}.service`,
    { mode: "644", createRemoteDir: true },
  );
  await ops.server.shell(sh`date +%s > ${home}/shared/restarted-at`, {
    _name: `Restart ${app}`,
    _if: config.changed || unit.changed,
  });
}
