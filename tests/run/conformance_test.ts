import { deepStrictEqual } from "node:assert/strict";
import type { ConnectorClass, ConnectorContext, HostInfo } from "../../connectors/base.ts";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { DockerConnector } from "../../connectors/docker.ts";
import { LocalConnector } from "../../connectors/local.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import { type CheckResult, formatCheck, runConformance } from "../../lib/run/conformance.ts";
import { runProcess, spawnShell } from "../../lib/process.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { buildBusyboxTree, busyboxImage, setUpPodman, testContainer } from "../helpers/targets.ts";
import { tempDir } from "../helpers/temp.ts";

const CHECKS = [
  "dataMeta documents every key",
  "makeNamesData yields documented hosts",
  "unknown data keys refused",
  "connect",
  "exit codes and _success_exit_codes",
  "stdout and stderr kept apart",
  "_stdin reaches the command",
  "_env quoting with hostile values",
  "_chdir quoting with a hostile path",
  "_timeout kills the command and leaves nothing running",
  "putFile/getFile round trip: text",
  "putFile/getFile round trip: binary (streams)",
  "putFile/getFile round trip: 50 MiB file",
  "an interrupted put leaves no partial destination",
  "secrets never in a local argv",
  "disconnect",
];

/** Runs the suite and asserts every check ran and passed (failures shown in full). */
async function passes(cls: ConnectorClass, host: HostInfo, context: ConnectorContext) {
  const results: CheckResult[] = await runConformance(cls, host, { context });
  deepStrictEqual(results.map((r) => r.name), CHECKS);
  deepStrictEqual(results.filter((r) => !r.ok).map(formatCheck), []);
}

Deno.test("the built-in connectors pass the conformance suite", async (t) => {
  await t.step("@local, persistent shell and not", async () => {
    const context = { runProcess, spawnShell };
    await passes(LocalConnector, { name: "@local", data: {}, groups: ["@local"] }, context);
    await passes(LocalConnector, {
      name: "@local",
      data: { local_persistent_shell: false },
      groups: [],
    }, { runProcess });
  });

  await t.step("@ssh against a real sshd", async () => {
    await using sshd = await startSshd();
    await passes(SshConnector, {
      name: `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`,
      data: {
        ssh_hostname: "127.0.0.1",
        ssh_port: sshd.port,
        ssh_user: TEST_USER,
        ssh_key: sshd.clientKey,
        ssh_known_hosts_file: sshd.knownHosts,
        ssh_allow_agent: false,
        ssh_look_for_keys: false,
        ssh_config_file: "/dev/null",
      },
      groups: [],
    }, { runProcess });
  });

  await t.step("@chroot into a busybox tree", async () => {
    await using dir = await tempDir();
    await buildBusyboxTree(dir.path);
    await passes(ChrootConnector, {
      name: `@chroot${dir.path}`,
      data: { chroot_directory: dir.path },
      groups: [],
    }, { runProcess });
  });

  await t.step("@docker (podman) in a busybox container", async () => {
    const podman = await setUpPodman();
    await using container = await testContainer(podman, await busyboxImage(podman));
    await passes(DockerConnector, {
      name: `@docker/${container.name}`,
      data: { docker_identifier: container.name, docker_cli: podman.cli },
      groups: [],
    }, { runProcess: podman.runner });
  });
});
