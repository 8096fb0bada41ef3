/**
 * The pattern of pyinfra's `examples/ssh_demo`, ported: an admin user with
 * exactly the given authorized keys, and sshd settings edited line by line
 * (pyinfra's `files.line(line=regex, replace=text)` is skiff's
 * `files.line(path, text, { match: regex })`).
 *
 * Host data: `admin_user`, `admin_keys` (SSH public key lines).
 */
import type { DeployContext } from "../../lib/api/mod.ts";

/** What the deploy reads from host data. */
export interface SshDemo {
  admin_user: string;
  admin_keys: string[];
}

const SSHD = "/etc/ssh/sshd_config";

export default async function ({ host, ops }: DeployContext<SshDemo>) {
  const admin = host.data.admin_user;
  await ops.server.user(admin, {
    home: `/home/${admin}`,
    shell: "/bin/sh",
    publicKeys: host.data.admin_keys,
  });
  await ops.files.directory("/etc/ssh", { mode: "755" });
  await ops.files.line(SSHD, "PasswordAuthentication no", {
    match: /^#?\s*PasswordAuthentication\b/,
    create: true,
  });
  await ops.files.line(SSHD, "PermitRootLogin no", {
    match: /^#?\s*PermitRootLogin\b/,
    create: true,
  });
  await ops.files.line(SSHD, `AllowUsers ${admin}`, { match: /^AllowUsers\b/, create: true });
}
