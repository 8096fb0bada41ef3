import { strictEqual } from "node:assert/strict";
import { DockerSshConnector } from "../../connectors/dockerssh.ts";
import { runProcess } from "../../lib/process.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { busyboxImage, setUpPodman, testCacheDir, testContainer } from "../helpers/targets.ts";
import { randomBytes, sha256Hex, tempDir } from "../helpers/temp.ts";

Deno.test("DockerSshConnector runs in a container on a host reached over ssh (composition of @ssh and @docker)", async () => {
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
  const sudoers = "/etc/sudoers.d/skiff-test-dockerssh";
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  try {
    const [name] = [
      ...DockerSshConnector.makeNamesData(`${TEST_USER}@127.0.0.1:${sshd.port}:${container.name}`),
    ];
    const connector = new DockerSshConnector({
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
    await connector.connect();
    try {
      const id = await connector.runShellCommand("id -u; cat /etc/os-release | head -1");
      strictEqual(id.output.stdout, `0\nNAME="skiff busybox"`);
      await connector.putFile(new TextEncoder().encode("inside\n"), "/tmp/put.txt", {
        mode: "600",
      });
      const check = await connector.runShellCommand("stat -c %a /tmp/put.txt; cat /tmp/put.txt");
      strictEqual(check.output.stdout, "600\ninside");
      await connector.getFile("/tmp/put.txt", dir.join("back.txt"));
      strictEqual(await Deno.readTextFile(dir.join("back.txt")), "inside\n");
      // Binary bytes both ways, streamed through docker exec over the channel (no base64).
      const big = randomBytes(3 * 1024 * 1024 + 7);
      await Deno.writeFile(dir.join("big.bin"), big);
      strictEqual(await connector.putFile(dir.join("big.bin"), "/tmp/big.bin"), true);
      const size = await connector.runShellCommand("wc -c < /tmp/big.bin");
      strictEqual(size.output.stdout.trim(), String(big.length));
      await connector.getFile("/tmp/big.bin", dir.join("big-back.bin"));
      strictEqual(
        await sha256Hex(await Deno.readFile(dir.join("big-back.bin"))),
        await sha256Hex(big),
      );
    } finally {
      await connector.disconnect();
    }
    const still = await podman.podman("inspect", "-f", "{{.State.Running}}", container.name);
    strictEqual(still.trim(), "true");
  } finally {
    await Deno.remove(sudoers).catch(() => {});
  }
});
