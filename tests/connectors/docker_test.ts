import { deepStrictEqual, match, rejects, strictEqual, throws } from "node:assert/strict";
import { assertExcludes } from "../helpers/assert_text.ts";
import { DockerConnector, PodmanConnector } from "../../connectors/docker.ts";
import { secret, sh } from "../../lib/core/command.ts";
import { ConnectError, InputError, OperationError } from "../../lib/core/errors.ts";
import type { ProcessRunner } from "../../lib/process.ts";
import { randomBytes, sha256Hex, tempDir } from "../helpers/temp.ts";
import {
  allContainerIds,
  busyboxImage,
  type Podman,
  runRaw,
  setUpPodman,
  testContainer,
} from "../helpers/targets.ts";

type Data = Record<string, unknown>;

function docker(podman: Podman, identifier: string, data: Data = {}, runner?: ProcessRunner) {
  return new DockerConnector(
    {
      name: `@docker/${identifier}`,
      data: { docker_identifier: identifier, docker_cli: podman.cli, ...data },
      groups: ["@docker"],
    },
    { runProcess: runner ?? podman.runner },
  );
}

/** A runner that records every argv and environment it is asked to run. */
function recording(podman: Podman) {
  const calls: { argv: string[]; env: Record<string, string> }[] = [];
  const runner: ProcessRunner = (argv, options = {}) => {
    calls.push({ argv: [...argv], env: { ...options.env } });
    return podman.runner(argv, options);
  };
  return { calls, runner };
}

/** Processes in `container` whose command line contains `needle` and that are not zombies. */
async function livingProcesses(podman: Podman, container: string, needle: string) {
  const out = await podman.podman("exec", container, "ps", "-o", "stat,args");
  return out.split("\n").filter((line) => line.includes(needle) && !/^\s*Z/.test(line));
}

Deno.test("DockerConnector.makeNamesData() and data keys", async (t) => {
  await t.step("@docker/NAME and @podman/NAME", () => {
    deepStrictEqual([...DockerConnector.makeNamesData("web")], [
      { name: "@docker/web", data: { docker_identifier: "web" }, groups: ["@docker"] },
    ]);
    deepStrictEqual([...PodmanConnector.makeNamesData("debian:12")], [
      { name: "@podman/debian:12", data: { docker_identifier: "debian:12" }, groups: ["@podman"] },
    ]);
  });
  await t.step("no argument", () => {
    throws(() => [...DockerConnector.makeNamesData(undefined)], {
      name: "InputError",
      message: '@docker needs a container or image: "@docker/NAME"',
    });
  });
  await t.step("defaults: docker_cli follows the connector", () => {
    const host = { name: "h", data: { docker_identifier: "x" }, groups: [] };
    const context = { runProcess: (() => Promise.reject(new Error("unused"))) as ProcessRunner };
    deepStrictEqual(new DockerConnector(host, context).data, {
      docker_identifier: "x",
      docker_cli: "docker",
      docker_env: {},
      docker_run_args: [],
      docker_keep: false,
    });
    strictEqual(new PodmanConnector(host, context).data.docker_cli, "podman");
  });
  await t.step("typos and podman_ keys", () => {
    const context = { runProcess: (() => Promise.reject(new Error("unused"))) as ProcessRunner };
    throws(
      () => new DockerConnector({ name: "h", data: { docker_usr: "a" }, groups: [] }, context),
      { message: 'Host "h": unknown docker data key "docker_usr" (did you mean "docker_user"?)' },
    );
    throws(
      () => new PodmanConnector({ name: "h", data: { podman_user: "a" }, groups: [] }, context),
      {
        name: "InputError",
        message:
          'Host "h": @podman uses the docker_ data keys: write "docker_user" instead of "podman_user"',
      },
    );
  });
});

Deno.test("DockerConnector runs commands in an existing container and leaves it untouched", async (t) => {
  const podman = await setUpPodman();
  const image = await busyboxImage(podman);
  await using container = await testContainer(podman, image);
  const before = await allContainerIds(podman);
  const { calls, runner } = recording(podman);
  const connector = docker(podman, container.name, {
    docker_env: { PLAIN: "p v", TOKEN: secret("env-s3cret") },
  }, runner);
  await connector.connect();
  try {
    strictEqual(connector.containerId, container.id);
    strictEqual(connector.isThrowaway, false);

    await t.step("stdout and stderr in order, marker removed", async () => {
      const seen: string[] = [];
      const result = await connector.runShellCommand("echo out; sleep 0.05; echo err >&2", {
        onOutput: (line) => seen.push(`${line.stream}:${line.line}`),
      });
      strictEqual(result.success, true);
      strictEqual(result.exitCode, 0);
      deepStrictEqual(result.output.lines, [
        { stream: "stdout", line: "out" },
        { stream: "stderr", line: "err" },
      ]);
      deepStrictEqual(seen, ["stdout:out", "stderr:err"]);
    });
    await t.step("stdin as text, bytes and lines", async () => {
      strictEqual(
        (await connector.runShellCommand("cat", { _stdin: "a\nb" })).output.stdout,
        "a\nb",
      );
      const bytes = await connector.runShellCommand("wc -c", { _stdin: new Uint8Array(70000) });
      strictEqual(bytes.output.stdout.trim(), "70000");
      strictEqual(
        (await connector.runShellCommand("cat", { _stdin: ["x", "y"] })).output.stdout,
        "x\ny",
      );
    });
    await t.step("exit codes and _success_exit_codes", async () => {
      const failed = await connector.runShellCommand("exit 3");
      deepStrictEqual([failed.success, failed.exitCode], [false, 3]);
      const accepted = await connector.runShellCommand("exit 3", { _success_exit_codes: [0, 3] });
      deepStrictEqual([accepted.success, accepted.exitCode], [true, 3]);
      const missing = await connector.runShellCommand("no-such-program-xyz");
      strictEqual(missing.exitCode, 127);
    });
    await t.step("environment: docker_env, _env, _chdir; secrets never in argv", async () => {
      calls.length = 0;
      const result = await connector.runShellCommand(
        sh`printf '%s|%s|%s|%s' "$PLAIN" "$TOKEN" "$PWD" ${secret("arg-s3cret")}`,
        { _chdir: "/tmp", _env: { E: secret("e-s3cret") } },
      );
      strictEqual(result.output.stdout, "p v|env-s3cret|/tmp|arg-s3cret");
      strictEqual(calls.length, 1);
      const argv = calls[0].argv.join(" ");
      for (const value of ["env-s3cret", "arg-s3cret", "e-s3cret"]) {
        assertExcludes(argv, value, `${value} in argv`);
      }
      deepStrictEqual(calls[0].env, {
        SKIFF_SECRET_0: "e-s3cret",
        SKIFF_SECRET_1: "arg-s3cret",
        TOKEN: "env-s3cret",
      });
      deepStrictEqual(calls[0].argv.slice(1, 12), [
        "exec",
        "-i",
        "-e",
        "PLAIN=p v",
        "-e",
        "TOKEN",
        "-e",
        "SKIFF_SECRET_0",
        "-e",
        "SKIFF_SECRET_1",
        container.id,
      ]);
    });
    await t.step("docker_user", async () => {
      const nobody = docker(podman, container.name, { docker_user: "nobody" });
      await nobody.connect();
      strictEqual((await nobody.runShellCommand("id -u")).output.stdout, "65534");
      await nobody.disconnect();
    });
    await t.step("_timeout kills the command inside the container", async () => {
      const started = Date.now();
      const result = await connector.runShellCommand("sleep 4242 & sleep 4243", { _timeout: 1 });
      strictEqual(Date.now() - started < 4000, true);
      deepStrictEqual([result.success, result.timedOut, result.exitCode, result.error], [
        false,
        true,
        null,
        "timed out",
      ]);
      deepStrictEqual(await livingProcesses(podman, container.name, "sleep 424"), []);
    });
    await t.step("an aborted command is killed inside the container", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 800);
      const result = await connector.runShellCommand("sleep 4244", { signal: controller.signal });
      deepStrictEqual([result.success, result.error], [false, "interrupted"]);
      deepStrictEqual(await livingProcesses(podman, container.name, "sleep 4244"), []);
    });
  } finally {
    await connector.disconnect();
  }
  await t.step("disconnect leaves the container running and nothing else changed", async () => {
    strictEqual(
      (await podman.podman(
        "container",
        "inspect",
        "--format",
        "{{.Id}} {{.State.Running}}",
        container.name,
      ))
        .trim(),
      `${container.id} true`,
    );
    deepStrictEqual(await allContainerIds(podman), before);
  });
});

Deno.test("DockerConnector.putFile() and getFile() copy exact bytes", async (t) => {
  const podman = await setUpPodman();
  await using container = await testContainer(podman, await busyboxImage(podman));
  await using dir = await tempDir();
  const connector = new PodmanConnector(
    { name: `@podman/${container.name}`, data: { docker_identifier: container.name }, groups: [] },
    { runProcess: podman.runner },
  );
  await connector.connect();
  try {
    const bytes = randomBytes(1024 * 1024 + 17);
    const sum = await sha256Hex(bytes);
    await t.step("bytes up, file down", async () => {
      strictEqual(await connector.putFile(bytes, "/tmp/blob"), true);
      const check = await connector.runShellCommand("sha256sum /tmp/blob; stat -c %a /tmp/blob");
      strictEqual(check.output.stdout, `${sum}  /tmp/blob\n644`);
      strictEqual(await connector.getFile("/tmp/blob", dir.join("blob")), true);
      strictEqual(await sha256Hex(await Deno.readFile(dir.join("blob"))), sum);
    });
    await t.step("a local path with a mode, nothing left beside it", async () => {
      await Deno.writeTextFile(dir.join("script"), "#!/bin/sh\necho ran\n");
      await connector.putFile(dir.join("script"), "/root/script", { mode: "750" });
      strictEqual((await connector.runShellCommand("/root/script")).output.stdout, "ran");
      strictEqual(
        (await connector.runShellCommand("stat -c %a /root/script")).output.stdout,
        "750",
      );
      strictEqual((await connector.runShellCommand("ls -A /root")).output.stdout, "script");
    });
    await t.step("replacing a file keeps its mode", async () => {
      await connector.putFile(new TextEncoder().encode("v2\n"), "/root/script");
      strictEqual(
        (await connector.runShellCommand("stat -c %a /root/script; cat /root/script")).output
          .stdout,
        "750\nv2",
      );
    });
    await t.step("getFile into a stream", async () => {
      const chunks: Uint8Array[] = [];
      await connector.getFile(
        "/etc/os-release",
        new WritableStream({ write: (c) => void chunks.push(c) }),
      );
      strictEqual(
        new TextDecoder().decode(await new Blob(chunks as BlobPart[]).bytes()),
        'NAME="skiff busybox"\nID=skiff-busybox\n',
      );
    });
    await t.step("errors name the path", async () => {
      await rejects(connector.getFile("/nope", dir.join("nope")), {
        name: "OperationError",
        message: `Could not read "/nope": cat: can't open '/nope': No such file or directory`,
      });
      await rejects(Deno.stat(dir.join("nope")), Deno.errors.NotFound);
      await rejects(connector.putFile(bytes, "/no/such/dir/f"), OperationError);
    });
    await t.step("docker_user nobody cannot write /root; no temp file is left", async () => {
      const nobody = new PodmanConnector(
        {
          name: "n",
          data: { docker_identifier: container.name, docker_user: "nobody" },
          groups: [],
        },
        { runProcess: podman.runner },
      );
      await nobody.connect();
      await rejects(nobody.putFile(bytes, "/root/x"), (error: Error) => {
        strictEqual(error instanceof OperationError, true);
        match(error.message, /^Could not move the upload into "\/root\/x": mv: can't rename/);
        return true;
      });
      await rejects(nobody.getFile("/root/script", dir.join("s")), /Permission denied/);
      await nobody.disconnect();
      strictEqual((await connector.runShellCommand("ls -A /root")).output.stdout, "script");
    });
  } finally {
    await connector.disconnect();
  }
});

Deno.test("DockerConnector.connect() starts a throwaway container from an image", async (t) => {
  const podman = await setUpPodman();
  const image = await busyboxImage(podman);
  const before = await allContainerIds(podman);

  await t.step("removed at disconnect", async () => {
    const connector = docker(podman, image, { docker_network: "none" });
    await connector.connect();
    try {
      strictEqual(connector.isThrowaway, true);
      deepStrictEqual(await allContainerIds(podman), [...before, connector.containerId!].sort());
      strictEqual(
        (await connector.runShellCommand("cat /etc/os-release | head -1")).output.stdout,
        'NAME="skiff busybox"',
      );
      strictEqual((await connector.runShellCommand("ls /sys/class/net")).output.stdout, "lo");
    } finally {
      await connector.disconnect();
    }
    deepStrictEqual(await allContainerIds(podman), before);
  });
  await t.step("docker_keep leaves it running", async () => {
    const connector = docker(podman, image, { docker_network: "none", docker_keep: true });
    await connector.connect();
    const id = connector.containerId!;
    try {
      await connector.disconnect();
      strictEqual(
        (await podman.podman("container", "inspect", "--format", "{{.State.Running}}", id)).trim(),
        "true",
      );
    } finally {
      await runRaw(podman, ["rm", "-f", "-t", "0", id]);
    }
  });
  await t.step(
    "docker_commit makes an image with the original entrypoint, then removes it",
    async () => {
      const tag = `localhost/skiff-test-commit:${crypto.randomUUID().slice(0, 8)}`;
      const connector = docker(podman, image, { docker_network: "none", docker_commit: tag });
      try {
        await connector.connect();
        await connector.putFile(new TextEncoder().encode("baked\n"), "/etc/baked");
        await connector.disconnect();
        deepStrictEqual(await allContainerIds(podman), before);
        strictEqual(
          (await podman.podman(
            "image",
            "inspect",
            "--format",
            "{{json .Config.Entrypoint}} {{json .Config.Cmd}}",
            tag,
          )).trim(),
          "null null",
        );
        strictEqual(
          (await podman.podman("run", "--rm", "--network=none", tag, "cat", "/etc/baked")).trim(),
          "baked",
        );
      } finally {
        await runRaw(podman, ["rmi", "-f", tag]);
      }
    },
  );
  await t.step("neither a container nor an image", async () => {
    const connector = docker(podman, "skiff-no-such-thing", { docker_network: "none" });
    await rejects(connector.connect(), (error: Error) => {
      strictEqual(error instanceof ConnectError, true);
      match(
        error.message,
        /^"skiff-no-such-thing" is neither a container nor an image .*podman could start: .*short-name "skiff-no-such-thing"/,
      );
      return true;
    });
    deepStrictEqual(await allContainerIds(podman), before);
  });
});

Deno.test("DockerConnector.connect() refuses to change containers it did not create", async (t) => {
  const podman = await setUpPodman();
  const image = await busyboxImage(podman);
  await t.step("a stopped container stays stopped", async () => {
    await using stopped = await testContainer(podman, image, { start: false });
    await rejects(docker(podman, stopped.name).connect(), {
      name: "ConnectError",
      message:
        `Container "${stopped.name}" is not running: start it first (skiff never starts, stops or removes a container it did not create)`,
    });
    strictEqual(
      (await podman.podman("container", "inspect", "--format", "{{.State.Status}}", stopped.name))
        .trim(),
      "created",
    );
  });
  await t.step("docker_commit and docker_keep on an existing container", async () => {
    await using running = await testContainer(podman, image);
    await rejects(docker(podman, running.name, { docker_commit: "x:y" }).connect(), InputError);
    strictEqual(
      (await podman.podman("container", "inspect", "--format", "{{.State.Running}}", running.name))
        .trim(),
      "true",
    );
  });
  await t.step("a missing CLI is a permanent ConnectError", async () => {
    const connector = docker(podman, "x", { docker_cli: "/nonexistent/docker" });
    await rejects(connector.connect(), {
      name: "ConnectError",
      message:
        'Cannot run "/nonexistent/docker": it is not installed or not on PATH (set docker_cli to its path)',
    });
  });
});
