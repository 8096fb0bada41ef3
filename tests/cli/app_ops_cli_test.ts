/**
 * The container and npm operations through the real CLI, as a user runs
 * them: `skiff deploy --dry`, then for real, then again on the converged
 * host (@local: podman through the host data key `container_cli`, a project
 * directory for npm). The container's env holds a secret that must show
 * nowhere in the output; the deploy reads `facts.docker.containers` and
 * `facts.npm.packages` after the operations, and `skiff facts` reads them
 * afterwards.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { packNpm } from "../helpers/lang_packages.ts";
import { requireCommand } from "../helpers/require.ts";
import { busyboxImage, podmanWrapper, runRaw, setUpPodman } from "../helpers/targets.ts";
import { tempDir } from "../helpers/temp.ts";

/** The operation lines of a run (`[@local] op subject: outcome (…)`). */
function opLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /^\[@local\] [a-z]+\.[a-z]+/.test(line));
}

Deno.test("skiff deploy: docker.volume, docker.container, npm.packages and their facts dry, real, then converged", async () => {
  await requireCommand("npm", "npm");
  const podman = await setUpPodman();
  const image = await busyboxImage(podman);
  await using dir = await tempDir();
  const cli = await podmanWrapper(podman, dir.path);
  const id = crypto.randomUUID().slice(0, 8);
  const [name, vol, app] = [`skiff-appops-cli-${id}`, `skiff-appops-cli-${id}`, dir.join("app")];
  const tarball = await packNpm(dir.path, "skiff-tiny", "1.0.0");
  await Deno.writeTextFile(
    dir.join("fleet.yml"),
    `fleet:\n  hosts:\n    "@local": {container_cli: ${cli}}\n`,
  );
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `export default async function ({ host, ops, facts, secret }) {
  await ops.docker.volume(${JSON.stringify(vol)});
  await ops.docker.container(${JSON.stringify(name)}, {
    image: ${JSON.stringify(image)},
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
    network: "none",
    volumes: [${JSON.stringify(`${vol}:/data`)}],
    env: { TOKEN: secret("hunter2-in-env") },
  });
  await ops.npm.packages(${JSON.stringify(`skiff-tiny@file:${tarball}`)}, { dir: ${
      JSON.stringify(app)
    } });
  const running = (await facts.docker.containers(host.data.container_cli))[${JSON.stringify(name)}];
  const npm = await facts.npm.packages(${JSON.stringify(app)});
  await ops.files.put({ content: JSON.stringify({ running, npm }) + "\\n" }, ${
      JSON.stringify(dir.join("seen.json"))
    });
}
`,
  );
  const deploy = (...flags: string[]) =>
    runSkiff(["deploy", dir.join("fleet.yml"), dir.join("deploy.ts"), ...flags]);
  try {
    const first = [
      `[@local] docker.volume ${vol}: CHANGE (created volume ${vol})`,
      `[@local] docker.container ${name}: CHANGE (created container ${name})`,
      `[@local] npm.packages skiff-tiny@file:${tarball}: CHANGE (installed skiff-tiny@file:${tarball})`,
      `[@local] files.put ${dir.join("seen.json")}: CHANGE (created ${dir.join("seen.json")})`,
    ];
    const dry = await deploy("--dry");
    strictEqual(dry.code, 0, dry.stdout + dry.stderr);
    // npm's dry run cannot say which version the tarball holds: the fact, and the put after it, depend on it.
    deepStrictEqual(opLines(dry.stdout), [
      ...first.slice(0, 3).map((line) => line.replace("CHANGE", "would change")),
      `[@local] files.put ${dir.join("seen.json")}: would change (depends on an earlier change)`,
    ]);
    const real = await deploy("-y");
    strictEqual(real.code, 0, real.stdout + real.stderr);
    deepStrictEqual(opLines(real.stdout), first.map((line) => line.replace("CHANGE", "changed")));
    deepStrictEqual(JSON.parse(await Deno.readTextFile(dir.join("seen.json"))), {
      running: { image, running: true },
      npm: { "skiff-tiny": "1.0.0" },
    });
    const again = await deploy("-y");
    strictEqual(again.code, 0, again.stdout + again.stderr);
    deepStrictEqual(opLines(again.stdout), []);
    // --json carries every command and its output: with the container made again, the secret
    // is in none of it (the env file's printf shows it masked).
    await runRaw(podman, ["rm", "-f", "-t", "0", name]);
    const json = await deploy("-y", "--json");
    strictEqual(json.code, 0, json.stdout + json.stderr);
    strictEqual(json.stdout.includes(`created container ${name}`), true, json.stdout);
    strictEqual(json.stdout.includes(`TOKEN=***`), true, json.stdout);
    for (const run of [dry, real, again, json]) {
      strictEqual((run.stdout + run.stderr).includes("hunter2"), false);
    }
    const facts = await runSkiff(["facts", "@local", `npm.packages:${app}`]);
    strictEqual(facts.code, 0, facts.stdout + facts.stderr);
    strictEqual(facts.stdout, `[@local] npm.packages:${app}: {"skiff-tiny":"1.0.0"}\n`);
  } finally {
    await runRaw(podman, ["rm", "-f", "-t", "0", name]);
    await runRaw(podman, ["volume", "rm", "-f", vol]);
  }
});
