/**
 * The docker operations on @local. `docker.container`, `docker.volume` and
 * `docker.image` (removal) run for real through podman (runc, the busybox
 * image, `--network=none`), first as a dry run and then for real, which
 * must agree. What cannot run here is checked as generated commands, named
 * as such: published ports, restart policy and a network (the bridge would
 * rewrite the host's firewall) in `createCommand`'s exact text, and
 * `docker.network` through a fake CLI that only records its arguments.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { SecretValue } from "../../lib/core/command.ts";
import { containers } from "../../lib/facts/docker.ts";
import { createCommand } from "../../lib/operations/docker_ops.ts";
import { runProcess } from "../../lib/process.ts";
import { localHarness } from "../helpers/ops.ts";
import { assertSameRuns, dryThenReal, shown } from "../helpers/predict.ts";
import {
  BUSYBOX_IMAGE,
  busyboxImage,
  runRaw,
  setUpPodman,
  testCacheDir,
} from "../helpers/targets.ts";
import { tempDir } from "../helpers/temp.ts";

/** A command that stops at once on SIGTERM (busybox sh as PID 1 would ignore it). */
const SERVE = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"];

Deno.test("docker.container, docker.volume and docker.image with podman: first run changes, second does not, dry run predicts, env secrets stay out of argv", async () => {
  const podman = await setUpPodman();
  const image = await busyboxImage(podman);
  await using dir = await tempDir();
  const id = crypto.randomUUID().slice(0, 8);
  const [name, vol, tag] = [
    `skiff-appops-${id}`,
    `skiff-appops-vol-${id}`,
    `localhost/skiff-appops-tag:${id}`,
  ];
  await podman.podman("tag", image, tag);
  // The CLI the operations use: podman with the test's storage settings, logging its arguments.
  const cli = dir.join("podman-logged");
  await Deno.writeTextFile(
    cli,
    `#!/bin/sh\nprintf '%s\\n' "$*" >>${
      dir.join("argv.log")
    }\nexec env CONTAINERS_CONF=${testCacheDir()}/containers.conf ${podman.cli} "$@"\n`,
  );
  await Deno.chmod(cli, 0o755);
  const host = { name: "@local", data: { container_cli: cli }, groups: ["@local"] };
  const secret = new SecretValue("s3cr'et value");
  const web = { image, command: SERVE, network: "none", volumes: [`${vol}:/data`] };
  try {
    const run = await dryThenReal({ host, connector: new LocalConnector(host, { runProcess }) }, [
      ["docker.volume", vol],
      ["docker.container", name, { ...web, env: { MODE: "a", TOKEN: secret } }],
      ["docker.container", name, { ...web, env: { MODE: "a", TOKEN: secret } }],
      ["docker.container", name, { ...web, env: { MODE: "a", TOKEN: secret }, running: false }],
      ["docker.container", name, { ...web, env: { MODE: "b", TOKEN: secret }, running: false }],
      ["docker.container", name, { ...web, env: { MODE: "b", TOKEN: secret }, running: false }],
      ["docker.container", name, {
        ...web,
        command: "sleep 300",
        env: { MODE: "b", TOKEN: secret },
      }],
      ["docker.container", name, {
        ...web,
        command: "sleep 300",
        env: { MODE: "b", TOKEN: secret },
      }],
      ["docker.volume", vol],
      ["docker.image", image],
      ["docker.image", tag, { present: false }],
      ["docker.image", tag, { present: false }],
    ]);
    deepStrictEqual(shown(run.real), [
      `changed: created volume ${vol}\n`,
      `changed: created container ${name}\n`,
      `no change: container ${name} is as wanted\n`,
      `changed: stopped container ${name}\n`,
      `changed: recreated container ${name} (env differ)\n`,
      `no change: container ${name} is as wanted\n`,
      `changed: recreated container ${name} (command differ)\n`,
      `no change: container ${name} is as wanted\n`,
      `no change: volume ${vol} is present\n`,
      `no change: image ${image} is present\n`,
      `changed: removed image ${tag}\n`,
      `no change: image ${tag} is absent\n`,
    ]);
    deepStrictEqual(shown(run.dry), shown(run.real));
    const inspect = await podman.podman(
      "container",
      "inspect",
      "--format",
      "{{.State.Running}} {{json .Config.Cmd}} {{json .Mounts}}",
      name,
    );
    strictEqual(
      inspect.startsWith(`true ["sleep","300"] [{"Type":"volume","Name":"${vol}"`),
      true,
      inspect,
    );
    const env = JSON.parse(
      await podman.podman("container", "inspect", "--format", "{{json .Config.Env}}", name),
    );
    deepStrictEqual(env.filter((e: string) => /^(MODE|TOKEN)=/.test(e)).sort(), [
      "MODE=b",
      "TOKEN=s3cr'et value",
    ]);
    const argv = await Deno.readTextFile(dir.join("argv.log"));
    strictEqual(argv.includes("s3cr"), false);
    strictEqual(argv.split("\n").filter((line) => line.startsWith("create ")).length, 3);
    strictEqual(argv.includes("create --name " + name + " --env-file /tmp/tmp."), true, argv);
    // The env file is gone once the container is made.
    const files = argv.match(/--env-file (\S+)/g)!.map((flag) => flag.slice("--env-file ".length));
    for (const file of files) {
      strictEqual(await Deno.lstat(file).then(() => true, () => false), false);
    }
    const h = localHarness("/", host.data);
    deepStrictEqual(
      (await h.session.fact(containers, cli))[name],
      { image, running: true },
    );
    const removed = await dryThenReal(
      { host, connector: new LocalConnector(host, { runProcess }) },
      [
        ["docker.container", name, { present: false }],
        ["docker.container", name, { present: false }],
        ["docker.volume", vol, { present: false }],
      ],
    );
    assertSameRuns(removed, ["changed", "no change", "changed"]);
    strictEqual((await runRaw(podman, ["container", "exists", name])).exitCode, 1);
    strictEqual((await runRaw(podman, ["volume", "exists", vol])).exitCode, 1);
  } finally {
    await runRaw(podman, ["rm", "-f", "-t", "0", name]);
    await runRaw(podman, ["volume", "rm", "-f", vol]);
    await runRaw(podman, ["rmi", tag]);
  }
});

Deno.test("docker.container generated commands (not run here): ports, volumes, network, restart, and env through a file", () => {
  const command = createCommand("web", {
    image: "nginx:1.25",
    command: ["nginx", "-g", "daemon off;"],
    ports: ["8080:80", "127.0.0.1:53:53/udp"],
    volumes: ["/srv/conf:/etc/nginx/conf.d:ro"],
    network: "front",
    restart: "unless-stopped",
    env: [["KEY", new SecretValue("p@ss word")], ["MODE", "prod"]],
  }, "{}");
  const text = `t=$(mktemp) || exit 1
if printf '%s\\n' KEY=*** MODE=prod >"$t" && "$c" create --name web --env-file "$t" -p 8080:80 -p 127.0.0.1:53:53/udp -v /srv/conf:/etc/nginx/conf.d:ro --network=front --restart=unless-stopped --label 'skiff.spec={}' -- nginx:1.25 nginx -g 'daemon off;' >/dev/null; then rm -f -- "$t"; else rm -f -- "$t"; exit 1; fi`;
  strictEqual(command.renderMasked(), text);
  const exec = command.renderForExec();
  strictEqual(exec.text.includes("p@ss"), false);
  strictEqual(exec.text.includes(`KEY="$SKIFF_SECRET_0" MODE=prod`), true, exec.text);
  deepStrictEqual(exec.secretEnv, { SKIFF_SECRET_0: "p@ss word" });
});

Deno.test("docker.network and docker.image pull through a fake CLI (a recorder: no network is made and no registry is reachable here) change once", async () => {
  await using dir = await tempDir();
  const fake = dir.join("fake-docker");
  await Deno.writeTextFile(
    fake,
    `#!/bin/sh
d=${dir.path}
printf '%s\\n' "$*" >>"$d/argv.log"
case "$1 $2" in
  "network ls") cat "$d/networks" 2>/dev/null || :;;
  "network create") eval "n=\\\${$#}"; echo "$n" >>"$d/networks";;
  "network rm") grep -vxF -- "$4" "$d/networks" >"$d/n2"; mv "$d/n2" "$d/networks";;
  "image inspect") grep -qxF -- "$6" "$d/images" 2>/dev/null && echo "sha256:1f2e";;
  "pull --") echo "$3" >>"$d/images";;
  *) echo "fake-docker: unexpected $*" >&2; exit 2;;
esac
`,
  );
  await Deno.chmod(fake, 0o755);
  const host = { name: "@local", data: { container_cli: fake }, groups: ["@local"] };
  const front = { driver: "bridge", subnet: "10.89.7.0/24", internal: true };
  const run = await dryThenReal({ host, connector: new LocalConnector(host, { runProcess }) }, [
    ["docker.network", "front", front],
    ["docker.network", "front", front],
    ["docker.network", "front", { present: false }],
    ["docker.network", "front", { present: false }],
    ["docker.image", "registry.example:5000/app:1.2"],
    ["docker.image", "registry.example:5000/app:1.2"],
  ]);
  assertSameRuns(run, ["changed", "no change", "changed", "no change", "changed", "no change"]);
  strictEqual(run.real[4].description, "pulled image registry.example:5000/app:1.2");
  strictEqual(run.real[0].description, "created network front");
  strictEqual(
    await Deno.readTextFile(dir.join("argv.log")),
    [
      // The dry run reads once per object; the rest it predicts.
      "network ls --format {{.Name}}",
      "image inspect --format {{.Id}} -- registry.example:5000/app:1.2",
      "network ls --format {{.Name}}",
      "network create --driver=bridge --subnet=10.89.7.0/24 --internal -- front",
      "network ls --format {{.Name}}",
      "network ls --format {{.Name}}",
      "network rm -- front",
      "network ls --format {{.Name}}",
      "image inspect --format {{.Id}} -- registry.example:5000/app:1.2",
      "pull -- registry.example:5000/app:1.2",
      "image inspect --format {{.Id}} -- registry.example:5000/app:1.2",
      "",
    ].join("\n"),
  );
});

Deno.test("docker operations refuse bad input with an input error naming the operation and argument", async (t) => {
  const h = localHarness("/", { container_cli: "podman" });
  const cases: [string, unknown[], string][] = [
    [
      "docker.container",
      ["-rm", { image: "x" }],
      `docker.container name: expected a name of letters, digits, "_", "." and "-", got "-rm"`,
    ],
    [
      "docker.container",
      ["web", {}],
      `docker.container image: expected an image reference such as "nginx:1.25", got undefined`,
    ],
    [
      "docker.container",
      ["web", { image: "--privileged" }],
      `docker.container image: expected an image reference such as "nginx:1.25", got "--privileged"`,
    ],
    [
      "docker.container",
      ["web", { image: "x", ports: ["--privileged"] }],
      `docker.container ports: expected items such as "8080:80", got "--privileged"`,
    ],
    [
      "docker.container",
      ["web", { image: "x", ports: "80" }],
      `docker.container: option "ports" must be a list of strings, got "80"`,
    ],
    [
      "docker.container",
      ["web", { image: "x", volumes: ["-v"] }],
      `docker.container volumes: expected items such as "data:/var/lib/app", got "-v"`,
    ],
    [
      "docker.container",
      ["web", { image: "x", env: { "A-B": "1" } }],
      `docker.container env: not a variable name: "A-B"`,
    ],
    [
      "docker.container",
      ["web", { image: "x", env: { A: "1\n2" } }],
      `docker.container env: A: expected one line of text`,
    ],
    [
      "docker.container",
      ["web", { image: "x", restart: "sometimes" }],
      `docker.container restart: unexpected value "sometimes"`,
    ],
    [
      "docker.container",
      ["web", { image: "x", running: "yes" }],
      `docker.container: option "running" must be true or false, got "yes"`,
    ],
    [
      "docker.image",
      ["", {}],
      `docker.image ref: expected an image reference such as "nginx:1.25", got ""`,
    ],
    [
      "docker.network",
      ["n", { subnet: "10.0.0.0" }],
      `docker.network subnet: expected a CIDR such as "10.89.0.0/24", got "10.0.0.0"`,
    ],
    [
      "docker.volume",
      ["v", { present: 1 }],
      `docker.volume: option "present" must be true or false, got 1`,
    ],
  ];
  for (const [name, args, message] of cases) {
    await t.step(`${name} ${JSON.stringify(args)}`, async () => {
      await rejects(h.op(name, ...args), { name: "InputError", message });
    });
  }
  await t.step("container_cli", async () => {
    const bad = localHarness("/", { container_cli: "-H tcp://x" });
    await rejects(bad.op("docker.volume", "v"), {
      name: "InputError",
      message: `container_cli: expected "docker", "podman" or a path to either, got "-H tcp://x"`,
    });
  });
  strictEqual(BUSYBOX_IMAGE.startsWith("localhost/"), true);
});
