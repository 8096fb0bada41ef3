import { strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const refusal = (op: string, given: string, resolved: string, access: "read" | "write") =>
  `${op}: local path "${given}" (resolved "${resolved}") is outside the paths granted to ${access}: grant it with --allow-${access} "${resolved}" or fleet allow_${access}`;

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** A deploy directory, a key outside it, and a directory for what operations write. */
async function layout(root: string): Promise<{ deploy: string; key: string; out: string }> {
  await Deno.mkdir(`${root}/deploy/templates`, { recursive: true });
  await Deno.mkdir(`${root}/keys`);
  await Deno.mkdir(`${root}/out`);
  await Deno.writeTextFile(`${root}/keys/id_ed25519`, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  await Deno.writeTextFile(`${root}/keys/other`, "another secret\n");
  return { deploy: `${root}/deploy`, key: `${root}/keys/id_ed25519`, out: `${root}/out` };
}

async function writeDeploy(dir: string, body: string): Promise<string> {
  const path = `${dir}/deploy.ts`;
  await Deno.writeTextFile(
    path,
    `export default async function ({ ops, host }) {\n${body}\n}\n`,
  );
  return path;
}

Deno.test("operations cannot read or write local paths outside what the operator granted", async (t) => {
  await using dir = await tempDir();
  const root = await Deno.realPath(dir.path);
  const { deploy, key, out } = await layout(root);
  const stolen = `${out}/stolen_key`;
  const data = ["--data", `key=${key}`, "--data", `dest=${stolen}`];

  await t.step("files.put of the operator's key", async () => {
    const path = await writeDeploy(deploy, `  await ops.files.put(host.data.key, host.data.dest);`);
    const run = await runSkiff(["deploy", "@local", path, "-y", ...data]);
    strictEqual(run.code, 2, run.stdout + run.stderr);
    assertIncludes(
      run.stdout,
      `[@local] files.put ${key}: failed: ${refusal("files.put", key, key, "read")}\n`,
    );
    strictEqual(await exists(stolen), false);
  });
  await t.step("files.template of the operator's key", async () => {
    const path = await writeDeploy(
      deploy,
      `  await ops.files.template(host.data.key, host.data.dest);`,
    );
    const run = await runSkiff(["deploy", "@local", path, "-y", ...data]);
    strictEqual(run.code, 2, run.stdout + run.stderr);
    assertIncludes(run.stdout, `failed: ${refusal("files.template", key, key, "read")}\n`);
    strictEqual(await exists(stolen), false);
  });
  await t.step("files.get to a path outside every granted path", async () => {
    const outside = `${root}/outside.txt`;
    const path = await writeDeploy(deploy, `  await ops.files.get("/etc/hostname", host.data.to);`);
    const run = await runSkiff(["deploy", "@local", path, "-y", "--data", `to=${outside}`]);
    strictEqual(run.code, 2, run.stdout + run.stderr);
    assertIncludes(run.stdout, `failed: ${refusal("files.get", outside, outside, "write")}\n`);
    strictEqual(await exists(outside), false);
  });
  await t.step(".. out of the deploy directory", async () => {
    const given = `${"../".repeat(deploy.split("/").length - 1)}${key.slice(1)}`;
    const path = await writeDeploy(
      deploy,
      `  await ops.files.put(${JSON.stringify(given)}, "${stolen}");`,
    );
    const run = await runSkiff(["deploy", "@local", path, "-y"]);
    strictEqual(run.code, 2, run.stdout + run.stderr);
    assertIncludes(run.stdout, `failed: ${refusal("files.put", given, key, "read")}\n`);
    strictEqual(await exists(stolen), false);
  });
  await t.step("a symlink inside the deploy directory pointing at the key", async () => {
    await Deno.symlink(key, `${deploy}/templates/key`);
    const path = await writeDeploy(
      deploy,
      `  await ops.server.script("templates/key");\n  await ops.files.put("templates/key", "${stolen}");`,
    );
    const run = await runSkiff(["deploy", "@local", path, "-y"]);
    strictEqual(run.code, 2, run.stdout + run.stderr);
    assertIncludes(
      run.stdout,
      `failed: ${refusal("server.script", "templates/key", key, "read")}\n`,
    );
    await Deno.remove(`${deploy}/templates/key`);
  });
});

Deno.test("--allow-read, --allow-write and the fleet's allow_read/allow_write grant exactly what they name", async (t) => {
  await using dir = await tempDir();
  const root = await Deno.realPath(dir.path);
  const { deploy, key, out } = await layout(root);
  const other = `${root}/keys/other`;
  const path = await writeDeploy(
    deploy,
    `  await ops.files.put(host.data.src, host.data.dest);\n  await ops.files.get(host.data.dest, host.data.copy);`,
  );
  const data = (src: string, copy: string) => [
    "--data",
    `src=${src}`,
    "--data",
    `dest=${root}/target/key`,
    "--data",
    `copy=${copy}`,
  ];
  await Deno.mkdir(`${root}/target`);

  await t.step("flags: the granted key and output directory work", async () => {
    const run = await runSkiff([
      "deploy",
      "@local",
      path,
      "-y",
      "--allow-read",
      key,
      "--allow-write",
      out,
      ...data(key, `${out}/copy`),
    ]);
    strictEqual(run.code, 0, run.stdout + run.stderr);
    strictEqual(await Deno.readTextFile(`${out}/copy`), await Deno.readTextFile(key));
  });
  await t.step("flags: nothing beside them", async () => {
    const read = await runSkiff([
      "deploy",
      "@local",
      path,
      "-y",
      "--allow-read",
      key,
      "--allow-write",
      out,
      ...data(other, `${out}/copy2`),
    ]);
    strictEqual(read.code, 2, read.stdout + read.stderr);
    assertIncludes(read.stdout, `failed: ${refusal("files.put", other, other, "read")}\n`);
    const write = await runSkiff([
      "deploy",
      "@local",
      path,
      "-y",
      "--allow-read",
      key,
      "--allow-write",
      out,
      ...data(key, `${out}-sibling/copy`),
    ]);
    strictEqual(write.code, 2, write.stdout + write.stderr);
    assertIncludes(
      write.stdout,
      `failed: ${refusal("files.get", `${out}-sibling/copy`, `${out}-sibling/copy`, "write")}\n`,
    );
  });
  await t.step("fleet allow_read/allow_write, relative to the fleet file", async () => {
    await Deno.mkdir(`${root}/fleet`);
    const fleet = `${root}/fleet/fleet.yml`;
    await Deno.writeTextFile(
      fleet,
      `fleet:\n  allow_read: [../keys/id_ed25519]\n  allow_write: [../out]\n  hosts:\n    "@local": {}\n`,
    );
    const ok = await runSkiff(["deploy", fleet, path, "-y", ...data(key, `${out}/copy3`)]);
    strictEqual(ok.code, 0, ok.stdout + ok.stderr);
    strictEqual(await Deno.readTextFile(`${out}/copy3`), await Deno.readTextFile(key));
    const refused = await runSkiff(["deploy", fleet, path, "-y", ...data(other, `${out}/copy4`)]);
    strictEqual(refused.code, 2, refused.stdout + refused.stderr);
    assertIncludes(refused.stdout, `failed: ${refusal("files.put", other, other, "read")}\n`);
  });
});

Deno.test("a deploy importing a module from its own directory still runs", async () => {
  await using dir = await tempDir();
  const root = await Deno.realPath(dir.path);
  await Deno.mkdir(`${root}/deploy/lib`, { recursive: true });
  await Deno.writeTextFile(`${root}/deploy/lib/settings.ts`, `export const line = "port=8080";\n`);
  await Deno.writeTextFile(`${root}/deploy/app.conf`, "base\n");
  const path = `${root}/deploy/deploy.ts`;
  await Deno.writeTextFile(
    path,
    `import { line } from "./lib/settings.ts";
export default async function ({ ops, host }) {
  await ops.files.put("app.conf", host.data.dest);
  await ops.files.line(host.data.dest, line);
}
`,
  );
  const run = await runSkiff(["deploy", "@local", path, "-y", "--data", `dest=${root}/app.conf`]);
  strictEqual(run.code, 0, run.stdout + run.stderr);
  strictEqual(await Deno.readTextFile(`${root}/app.conf`), "base\nport=8080\n");
});
