/**
 * `@dockerssh` on a host and in a container shared with other users: an
 * unprivileged account in the container (`nobody`) and one on the SSH host
 * (the attacker) watch while skiff works. Uploads stage nothing they can
 * read, a link planted at the temporary name gains nothing, and a secret
 * never shows in any process's arguments on either side.
 */
import { match, rejects, strictEqual } from "node:assert/strict";
import { tempName } from "../../connectors/_shared.ts";
import { DockerSshConnector } from "../../connectors/dockerssh.ts";
import { secret, sh } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import { attackerLoop, ensureAttacker } from "../helpers/attacker.ts";
import { ensureTestUser, sshHostData, startSshd, TEST_USER } from "../helpers/sshd.ts";
import {
  busyboxImage,
  type Podman,
  setUpPodman,
  testCacheDir,
  testContainer,
} from "../helpers/targets.ts";
import { tempDir } from "../helpers/temp.ts";

const MARK = `skiff-private-${crypto.randomUUID()}`;
const bytes = (text: string) => new TextEncoder().encode(text);

/** `body` in a loop as `nobody` in the container until stopped; `stop()` returns what it printed. */
function nobodyLoop(podman: Podman, container: string, body: string) {
  const stopFile = `/tmp/stop-${crypto.randomUUID()}`;
  const child = new Deno.Command(podman.cli, {
    args: [
      "exec",
      "-u",
      "65534:65534",
      container,
      "sh",
      "-c",
      `while [ ! -e ${stopFile} ]; do\n${body}\ndone`,
    ],
    env: { CONTAINERS_CONF: `${testCacheDir()}/containers.conf` },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  return {
    async stop(unblock = ""): Promise<string> {
      await podman.podman("exec", container, "sh", "-c", `touch ${stopFile}; ${unblock}`);
      return new TextDecoder().decode((await child.output()).stdout);
    },
  };
}

Deno.test("@dockerssh: nothing another user of the host or the container can read or steer", async (t) => {
  await ensureAttacker();
  await ensureTestUser();
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
  let planted: string | undefined;
  const host = {
    name: `@dockerssh/${container.name}`,
    data: {
      ...sshHostData(sshd),
      docker_identifier: container.name,
      docker_cli: wrapper,
      dockerssh_sudo: true,
    },
    groups: [],
  };
  const connector = new DockerSshConnector(host, {
    runProcess,
    tempName: (path) => planted ?? tempName(path),
  });
  await connector.connect();
  try {
    const setUp = await connector.runShellCommand(
      "mkdir -p /srv/private /srv/shared && chmod 755 /srv/private && chmod 777 /srv/shared",
    );
    strictEqual(setUp.success, true, setUp.output.stderr);

    await t.step("uploads stage nothing `nobody` in the container can read", async () => {
      const content = bytes(`${MARK}\n`.repeat(20000));
      const watcher = nobodyLoop(
        podman,
        container.name,
        `for f in /srv/private/.*.skiff-* /srv/private/*; do grep -ls '${MARK}' "$f" && echo "$f"; done`,
      );
      for (let i = 0; i < 15; i++) {
        strictEqual(
          await connector.putFile(content, "/srv/private/secret.txt", { mode: "600" }),
          true,
        );
      }
      const seen = await watcher.stop();
      strictEqual(seen, "", `nobody read the content of: ${seen}`);
      const check = await connector.runShellCommand("stat -c '%u %a %s' /srv/private/secret.txt");
      strictEqual(check.output.stdout, `0 600 ${content.length}`);
    });

    await t.step("a link `nobody` plants at the temporary name gains nothing", async () => {
      planted = "/srv/shared/.conf.planted";
      const plant = await podman.podman(
        "exec",
        "-u",
        "65534:65534",
        container.name,
        "sh",
        "-c",
        `mkfifo /srv/shared/fifo && ln -s /srv/shared/fifo ${planted} && echo planted`,
      );
      strictEqual(plant.trim(), "planted");
      const reader = nobodyLoop(podman, container.name, "cat /srv/shared/fifo >>/srv/shared/got");
      try {
        await rejects(connector.putFile(bytes(`${MARK}\n`), "/srv/shared/conf", { mode: "600" }), {
          name: "OperationError",
          message: new RegExp(`${planted}: something is already at the temporary name`),
        });
      } finally {
        planted = undefined;
        // The reader waits in the FIFO's open: a writer lets it see the stop file.
        await reader.stop("echo >/srv/shared/fifo");
      }
      const got = await connector.runShellCommand("cat /srv/shared/got; ls /srv/shared");
      strictEqual(got.output.stdout.includes(MARK), false, got.output.stdout);
      strictEqual(got.output.stdout.split("\n").includes("conf"), false, got.output.stdout);
    });

    await t.step(
      "a secret never shows in a process's arguments, on the host or in the container",
      async () => {
        const value = `skiff-secret-${crypto.randomUUID()}`;
        // The pattern in a file: a grep with the secret in its own arguments would find itself.
        const pattern = dir.join("pattern");
        await Deno.writeTextFile(pattern, `${value}\n`);
        await Deno.chmod(pattern, 0o644);
        await podman.podman("exec", container.name, "sh", "-c", `echo ${value} >/tmp/pattern`);
        await using onHost = attackerLoop(`grep -l -a -s -f "$1" /proc/[0-9]*/cmdline`, pattern);
        const inContainer = nobodyLoop(
          podman,
          container.name,
          "grep -l -a -s -f /tmp/pattern /proc/[0-9]*/cmdline",
        );
        for (let i = 0; i < 8; i++) {
          const result = await connector.runShellCommand(
            sh`sleep 0.2; [ ${secret(value)} = ${secret(value)} ] && echo same`,
          );
          strictEqual(result.output.stdout, "same", result.output.stderr);
        }
        const seenInContainer = await inContainer.stop();
        const seenOnHost = await onHost.stop();
        strictEqual(seenOnHost, "", `on the host, in the arguments of: ${seenOnHost}`);
        strictEqual(
          seenInContainer,
          "",
          `in the container, in the arguments of: ${seenInContainer}`,
        );
        match(value, /^skiff-secret-/);
      },
    );
  } finally {
    await connector.disconnect();
    await Deno.remove(sudoers).catch(() => {});
  }
});
