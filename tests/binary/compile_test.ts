import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { compileArgs } from "../../lib/build/release.ts";
import { containsText, embeddedFiles, readSui } from "../../lib/build/sui.ts";
import { PERMISSION_FLAGS, RUNTIME_FLAGS } from "../../lib/build/permissions.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function listFlag(name: string): string[] | undefined {
  const flag = PERMISSION_FLAGS.find((f) => f === name || f.startsWith(`${name}=`));
  if (flag === undefined) return undefined;
  return flag.includes("=") ? flag.slice(flag.indexOf("=") + 1).split(",") : [];
}

Deno.test("deno task compile bakes exactly lib/build/permissions.flags and embeds what the CLI needs", async () => {
  await using dir = await tempDir();
  const args = await compileArgs(dir.join("skiff"));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["compile", "--quiet", ...args],
    cwd: ROOT,
    env: { DENORT_BIN: "/bin/true", NO_COLOR: "1" },
  }).output();
  strictEqual(out.success, true, new TextDecoder().decode(out.stderr));
  const { metadata, section } = readSui(await Deno.readFile(dir.join("skiff")));
  strictEqual(metadata.entrypoint_key, "main.ts");
  const permissions = metadata.permissions as Record<string, unknown>;
  deepStrictEqual(permissions.allow_read, listFlag("--allow-read"));
  deepStrictEqual(permissions.allow_write, listFlag("--allow-write"));
  deepStrictEqual(permissions.allow_net, listFlag("--allow-net"));
  deepStrictEqual(permissions.allow_run, listFlag("--allow-run"));
  deepStrictEqual(permissions.allow_env, listFlag("--allow-env"));
  deepStrictEqual(permissions.ignore_env, listFlag("--ignore-env"));
  deepStrictEqual(permissions.allow_sys, listFlag("--allow-sys"));
  strictEqual(permissions.allow_ffi, null);
  strictEqual(permissions.prompt, false);
  deepStrictEqual(RUNTIME_FLAGS, ["--v8-flags=--max-semi-space-size=1"]);
  deepStrictEqual((metadata.v8_flags as string[]).slice(-1), ["--max-semi-space-size=1"]);
  deepStrictEqual((metadata.unstable_config as { features: string[] }).features, [
    "worker-options",
  ]);
  const files = embeddedFiles(section);
  for (
    const file of [
      "main.ts",
      "lib/cli/program.ts",
      "lib/sandbox/deploy_worker.ts",
      "lib/sandbox/boat_worker.ts",
      "lib/api/deploy.ts",
      "lib/api/connector.ts",
      "connectors/kit.ts",
      "lib/run/conformance.ts",
      "connectors/ssh/connector.ts",
      "connectors/local.ts",
      "connectors/docker.ts",
      "connectors/chroot.ts",
      "lib/inventory/parse.ts",
    ]
  ) {
    assertIncludes(files, file, `${file} is not embedded`);
  }
  // The permission list is a text import: its content travels with the module graph.
  strictEqual(
    containsText(section, await Deno.readTextFile(`${ROOT}lib/build/permissions.flags`)),
    true,
  );
  for (
    const pkg of [
      "yaml/2.9.1/",
      "ssh2/1.17.0/",
      "commander/15.1.0/",
      "zod/4.6.7/",
    ]
  ) {
    strictEqual(files.some((path) => path.includes(pkg)), true, `${pkg} is not embedded`);
  }
  // --exclude-unused-npm: type-only packages from the lockfile stay out of the binary.
  deepStrictEqual(
    files.filter((path) => /\/(@types|types)\/(ssh2|node)\//.test(path)),
    [],
  );
});

Deno.test("the CLI works end to end under exactly the binary's permission flags", async () => {
  await using dir = await tempDir();
  const run = await runSkiff([
    "deploy",
    "@local",
    `${ROOT}fleets/deploys/demo.ts`,
    "-y",
    "--data",
    `demo_root=${dir.path}/demo`,
  ]);
  strictEqual(run.code, 0, run.stderr + run.stdout);
  assertIncludes(run.stdout, "1 host(s): 1 succeeded, 0 failed");
});
