import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertIncludes, assertStartsWith } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const GOOD = `import type { DeployContext } from "./skiff.d.ts";
export default async function ({ ops, facts, host }: DeployContext) {
  await ops.files.directory(\`/srv/\${host.name}\`, { mode: "755" });
  const conf = await ops.files.line("/etc/app.conf", "listen=8080", {}, { _sudo: true });
  if (conf.changed) await ops.server.shell(["systemctl reload app"], { _sudo: true });
  const os = await facts.server.os();
  os.id.toUpperCase();
}
`;

async function check(dir: string, file: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", file],
    cwd: dir,
    env: { NO_COLOR: "1" },
  })
    .output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("skiff types writes declarations an editor (deno check) uses on deploys", async () => {
  await using dir = await tempDir();
  const run = await runSkiff(["types"], { cwd: dir.path });
  strictEqual(run.code, 0, run.stderr);
  strictEqual(run.stdout, `Wrote ${dir.path}/skiff.d.ts\n`);
  await Deno.writeTextFile(dir.join("good.ts"), GOOD);
  strictEqual((await check(dir.path, "good.ts")).code, 0);
  await Deno.writeTextFile(dir.join("bad.ts"), GOOD.replace(`{ mode: "755" }`, "{ mode: 755 }"));
  const bad = await check(dir.path, "bad.ts");
  strictEqual(bad.code, 1);
  assertIncludes(bad.stderr, "Type 'number' is not assignable to type 'string'");
});

Deno.test("skiff facts prints facts per host, as text or JSON", async (t) => {
  const hostname = new TextDecoder().decode(
    (await new Deno.Command("uname", { args: ["-n"] }).output()).stdout,
  ).trim();
  const shPath = new TextDecoder().decode(
    (await new Deno.Command("sh", { args: ["-c", "command -v sh"] }).output()).stdout,
  ).trim();
  const osId = /^ID=(.*)$/m.exec(await Deno.readTextFile("/etc/os-release"))?.[1]
    .replaceAll('"', "");
  await t.step("text", async () => {
    const run = await runSkiff([
      "facts",
      "@local",
      "server.hostname",
      "server.which:sh",
      "files.sha256:/nonexistent",
    ]);
    strictEqual(run.code, 0, run.stderr);
    strictEqual(
      run.stdout,
      `[@local] server.hostname: ${hostname}\n[@local] server.which:sh: ${shPath}\n[@local] files.sha256:/nonexistent: null\n`,
    );
  });
  await t.step("json", async () => {
    const run = await runSkiff(["facts", "@local", "--json", "server.os", "files.stat:/etc"]);
    const parsed = JSON.parse(run.stdout);
    strictEqual(parsed["@local"]["server.os"].id, osId);
    deepStrictEqual(
      {
        type: parsed["@local"]["files.stat:/etc"].type,
        user: parsed["@local"]["files.stat:/etc"].user,
      },
      { type: "directory", user: "root" },
    );
  });
  await t.step("a fact whose command is missing says not available", async () => {
    const run = await runSkiff([
      "facts",
      "@local",
      "--json",
      "server.command:definitely-not-a-command-xyz",
    ]);
    const value = JSON.parse(run.stdout)["@local"]["server.command:definitely-not-a-command-xyz"];
    assertStartsWith(
      value.error,
      "Fact server.command is not available on @local: command not found",
    );
  });
  await t.step("unknown fact", async () => {
    const run = await runSkiff(["facts", "@local", "server.oss"]);
    strictEqual(run.code, 2);
    assertStartsWith(run.stderr, `error: Unknown fact "server.oss" (did you mean "server.os"?)`);
  });
});
