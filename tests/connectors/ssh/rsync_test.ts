import { deepStrictEqual } from "node:assert/strict";
import { rsyncArgv } from "../../../connectors/ssh/rsync.ts";

const SETTINGS = {
  user: "deploy",
  host: "web1.example",
  port: 2222,
  knownHosts: ["/home/me/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts"],
  strict: "accept-new" as const,
};

Deno.test("rsyncArgv() builds rsync -e ssh with the connection's settings", async (t) => {
  await t.step("port, known_hosts and policy only", () => {
    deepStrictEqual(rsyncArgv("site/", "/srv/site/", { settings: SETTINGS, flags: ["-a"] }), [
      "rsync",
      "-e",
      "ssh -p 2222 -o BatchMode=yes -o UserKnownHostsFile=/home/me/.ssh/known_hosts -o StrictHostKeyChecking=accept-new",
      "--protect-args",
      "-a",
      "--",
      "site/",
      "deploy@web1.example:/srv/site/",
    ]);
  });
  await t.step("key, config file and jump hosts, quoted for the shell rsync runs", () => {
    deepStrictEqual(
      rsyncArgv("a b/", "/srv/a b/", {
        settings: { ...SETTINGS, knownHosts: ["/home/me/my hosts"], strict: "yes" },
        flags: ["-r", "--delete"],
        key: "/home/me/.ssh/my key",
        configFile: "/home/me/.ssh/config",
        proxyJump: "ops@bastion:2022",
      }),
      [
        "rsync",
        "-e",
        "ssh -p 2222 -o BatchMode=yes -o 'UserKnownHostsFile=/home/me/my hosts' " +
        "-o StrictHostKeyChecking=yes -i '/home/me/.ssh/my key' -F /home/me/.ssh/config " +
        "-J ops@bastion:2022",
        "--protect-args",
        "-r",
        "--delete",
        "--",
        "a b/",
        "deploy@web1.example:/srv/a b/",
      ],
    );
  });
  await t.step("an IPv6 address in brackets", () => {
    deepStrictEqual(
      rsyncArgv("f", "/tmp/f", { settings: { ...SETTINGS, host: "fd00::5", port: 22 }, flags: [] }),
      [
        "rsync",
        "-e",
        "ssh -p 22 -o BatchMode=yes -o UserKnownHostsFile=/home/me/.ssh/known_hosts -o StrictHostKeyChecking=accept-new",
        "--protect-args",
        "--",
        "f",
        "deploy@[fd00::5]:/tmp/f",
      ],
    );
  });
});
