import { deepStrictEqual } from "node:assert/strict";
import type { ConnectorClass, ConnectorContext, HostInfo } from "../../connectors/base.ts";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { DockerConnector } from "../../connectors/docker.ts";
import { DockerSshConnector } from "../../connectors/dockerssh.ts";
import { LocalConnector } from "../../connectors/local.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import { type CheckResult, formatCheck, runConformance } from "../../lib/run/conformance.ts";
import { runProcess, spawnShell } from "../../lib/process.ts";
import { sshHostData, startSshd, TEST_USER } from "../helpers/sshd.ts";
import {
  buildBusyboxTree,
  busyboxImage,
  setUpPodman,
  testCacheDir,
  testContainer,
} from "../helpers/targets.ts";
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
      data: sshHostData(sshd),
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

  await t.step("@dockerssh: a podman container on a host reached over ssh", async () => {
    const podman = await setUpPodman();
    await using container = await testContainer(podman, await busyboxImage(podman));
    await using sshd = await startSshd();
    await using dir = await tempDir();
    await Deno.chmod(dir.path, 0o755);
    const wrapper = dir.join("podman-wrapper");
    await Deno.writeTextFile(
      wrapper,
      `#!/bin/sh\nexec env CONTAINERS_CONF=${testCacheDir()}/containers.conf ${podman.cli} "$@"\n`,
    );
    await Deno.chmod(wrapper, 0o755);
    const sudoers = "/etc/sudoers.d/skiff-test-conformance";
    await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    try {
      const [name] = [
        ...DockerSshConnector.makeNamesData(
          `${TEST_USER}@127.0.0.1:${sshd.port}:${container.name}`,
        ),
      ];
      await passes(DockerSshConnector, {
        name: name.name,
        data: {
          ...name.data,
          ssh_key: sshd.clientKey,
          ssh_known_hosts_file: sshd.knownHosts,
          ssh_allow_agent: false,
          ssh_config_file: "/dev/null",
          docker_cli: wrapper,
          dockerssh_sudo: true,
        },
        groups: [],
      }, { runProcess });
    } finally {
      await Deno.remove(sudoers).catch(() => {});
    }
  });
});

Deno.test("runConformance() fails an undocumented key, and every host check when connect fails", async () => {
  class Refusing extends LocalConnector {
    static override connectorName = "refusing";
    static override dataMeta: typeof LocalConnector.dataMeta = {
      local_persistent_shell: { description: "", type: "boolean", default: false },
    };
    static override *makeNamesData(arg: string | undefined) {
      yield { name: `@refusing/${arg}`, data: {}, groups: [] };
    }
    override connect(): Promise<void> {
      return Promise.reject(new Error("Refused by the test"));
    }
  }
  const host = { name: "@refusing/x", data: {}, groups: [] };
  const results = await runConformance(Refusing, host, { context: { runProcess } });
  deepStrictEqual(results.map(formatCheck), [
    'FAIL  dataMeta documents every key: keys without a description: "local_persistent_shell"',
    "ok    makeNamesData yields documented hosts (1 host(s): @refusing/x)",
    'ok    unknown data keys refused ("refusing_no_such_key" is an input error)',
    "FAIL  connect: Refused by the test",
    ...CHECKS.slice(4).map((name) => `FAIL  ${name}: not connected`),
  ]);
});
