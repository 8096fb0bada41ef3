import { deepStrictEqual, throws } from "node:assert/strict";
import {
  dockerCommitArgv,
  dockerCopyInArgv,
  dockerExecArgv,
  dockerInspectContainerArgv,
  dockerInspectImageArgv,
  dockerKillArgv,
  dockerRemoveArgv,
  dockerRunArgv,
  parseImageProcess,
} from "../../connectors/docker_argv.ts";
import { secret, sh } from "../../lib/core/command.ts";
import { makeUnixCommand } from "../../lib/core/unix_command.ts";

Deno.test("dockerExecArgv() builds exact exec command lines", async (t) => {
  await t.step("plain", () => {
    deepStrictEqual(dockerExecArgv("app", "sh -c 'echo hi'"), [
      "docker",
      "exec",
      "-i",
      "app",
      "sh",
      "-c",
      "sh -c 'echo hi'",
    ]);
  });
  await t.step("cli, tty, user, env and secret names in order", () => {
    deepStrictEqual(
      dockerExecArgv("c1", "id", {
        cli: "/usr/bin/podman",
        tty: true,
        user: "www-data",
        env: { LANG: "C.UTF-8", X: "a b" },
        envNames: ["SKIFF_SECRET_0", "DB_PASSWORD"],
      }),
      [
        "/usr/bin/podman",
        "exec",
        "-i",
        "-t",
        "-u",
        "www-data",
        "-e",
        "LANG=C.UTF-8",
        "-e",
        "X=a b",
        "-e",
        "SKIFF_SECRET_0",
        "-e",
        "DB_PASSWORD",
        "c1",
        "sh",
        "-c",
        "id",
      ],
    );
  });
  await t.step("pid marker first on stderr", () => {
    deepStrictEqual(dockerExecArgv("app", "sh -c whoami", { pidMarker: "skiff-pid-ab12" }), [
      "docker",
      "exec",
      "-i",
      "app",
      "sh",
      "-c",
      'echo "skiff-pid-ab12:$$" >&2; sh -c whoami',
    ]);
  });
  await t.step("a secret from renderForExec travels by name only", () => {
    const exec = makeUnixCommand(sh`mysql -p${secret("hunter2")}`, { _sudo: true })
      .renderForExec();
    const argv = dockerExecArgv("db", exec.text, { envNames: Object.keys(exec.secretEnv) });
    deepStrictEqual(argv, [
      "docker",
      "exec",
      "-i",
      "-e",
      "SKIFF_SECRET_0",
      "db",
      "sh",
      "-c",
      `sudo -H -n --preserve-env=SKIFF_SECRET_0 sh -c 'mysql -p"$SKIFF_SECRET_0"'`,
    ]);
    deepStrictEqual(argv.some((arg) => arg.includes("hunter2")), false);
    deepStrictEqual(exec.secretEnv, { SKIFF_SECRET_0: "hunter2" });
  });
});

Deno.test("dockerRunArgv() starts a throwaway container kept alive by sleep", async (t) => {
  await t.step("defaults", () => {
    deepStrictEqual(dockerRunArgv("debian:12"), [
      "docker",
      "run",
      "-d",
      "--init",
      "--entrypoint",
      "sleep",
      "debian:12",
      "infinity",
    ]);
  });
  await t.step("every option", () => {
    deepStrictEqual(
      dockerRunArgv("alpine", {
        cli: "podman",
        name: "skiff-1",
        platform: "linux/arm64",
        network: "none",
        runArgs: ["-v", "/srv:/srv", "--cap-add=NET_ADMIN"],
      }),
      [
        "podman",
        "run",
        "-d",
        "--init",
        "--name",
        "skiff-1",
        "--platform",
        "linux/arm64",
        "--network",
        "none",
        "-v",
        "/srv:/srv",
        "--cap-add=NET_ADMIN",
        "--entrypoint",
        "sleep",
        "alpine",
        "infinity",
      ],
    );
  });
});

Deno.test("dockerKillArgv() kills a process group as root", async (t) => {
  await t.step("valid group", () => {
    deepStrictEqual(dockerKillArgv("app", 42, { cli: "podman" }), [
      "podman",
      "exec",
      "-u",
      "0",
      "app",
      "kill",
      "-9",
      "-42",
    ]);
  });
  await t.step("never group 0, 1 or a non-integer", () => {
    for (const bad of [0, 1, -5, 2.5]) throws(() => dockerKillArgv("app", bad), RangeError);
  });
});

Deno.test("docker cp, commit, rm and inspect argvs are exact", async (t) => {
  await t.step("cp", () => {
    deepStrictEqual(dockerCopyInArgv("/tmp/a b", { container: "app", path: "/etc/.x.skiff-1" }), [
      "docker",
      "cp",
      "/tmp/a b",
      "app:/etc/.x.skiff-1",
    ]);
  });
  await t.step("commit restores the image's entrypoint and command", () => {
    deepStrictEqual(
      dockerCommitArgv("c1", {
        tag: "app:v2",
        image: { entrypoint: null, cmd: ["nginx", "-g", "daemon off;"] },
        cli: "podman",
      }),
      [
        "podman",
        "commit",
        "--change",
        "ENTRYPOINT []",
        "--change",
        'CMD ["nginx","-g","daemon off;"]',
        "c1",
        "app:v2",
      ],
    );
  });
  await t.step("rm", () => {
    deepStrictEqual(dockerRemoveArgv("c1"), ["docker", "rm", "-f", "c1"]);
  });
  await t.step("inspect", () => {
    deepStrictEqual(dockerInspectContainerArgv("app"), [
      "docker",
      "container",
      "inspect",
      "--format",
      "{{.Id}} {{.State.Running}}",
      "app",
    ]);
    deepStrictEqual(dockerInspectImageArgv("debian:12", { cli: "podman" }), [
      "podman",
      "image",
      "inspect",
      "--format",
      "{{json .Config.Entrypoint}}\n{{json .Config.Cmd}}",
      "debian:12",
    ]);
  });
  await t.step("parseImageProcess()", () => {
    deepStrictEqual(parseImageProcess('null\n["sh"]\n'), { entrypoint: null, cmd: ["sh"] });
    deepStrictEqual(parseImageProcess('["/init"]\nnull'), { entrypoint: ["/init"], cmd: null });
  });
});
