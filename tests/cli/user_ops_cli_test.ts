/**
 * Operations a deploy defines (`ctx.defineOperation`), through the CLI on
 * `@local`: reported, dry-run, diffed, skipped, retried, notified and masked
 * like built-in operations; their plans run in the deploy's sandbox.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff, spawnSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const EXAMPLE = new URL("../../fleets/deploys/defined_operation.ts", import.meta.url).pathname;

Deno.test("the defined-operation example changes once, then nothing; its dry run predicts", async () => {
  await using dir = await tempDir();
  const root = dir.join("app");
  const deploy = (...extra: string[]) =>
    runSkiff(["deploy", "@local", EXAMPLE, "--data", `demo_root=${root}`, ...extra]);
  const dry = await deploy("--dry", "--diff");
  strictEqual(dry.code, 0, dry.stdout + dry.stderr);
  assertIncludes(
    dry.stdout,
    `[@local] app.release ${root}: would change (release 1.0.0)\n    +1.0.0`,
  );
  strictEqual(await Deno.stat(root).then(() => true, () => false), false);
  const first = await deploy("-y");
  strictEqual(first.code, 0, first.stdout + first.stderr);
  assertIncludes(first.stdout, `[@local] app.release ${root}: changed (release 1.0.0)`);
  strictEqual(await Deno.readTextFile(`${root}/RELEASE`), "1.0.0\n");
  const second = await deploy("-y", "-v");
  strictEqual(second.code, 0, second.stdout + second.stderr);
  assertIncludes(second.stdout, `[@local] app.release ${root}: no change`);
  const upgrade = await deploy("-y", "--data", "version=1.1.0");
  assertIncludes(upgrade.stdout, `[@local] app.release ${root}: changed (release 1.1.0)`);
  strictEqual(await Deno.readTextFile(`${root}/RELEASE`), "1.1.0\n");
});

Deno.test("a defined operation takes control arguments, retries with a fresh plan, and masks secrets", async (t) => {
  await using dir = await tempDir();
  const deploy = dir.join("deploy.ts");
  const run = async (body: string, ...extra: string[]) => {
    await Deno.writeTextFile(
      deploy,
      `export default async function ({ defineOperation, handler, log, secret, sh }) {
  const dir = ${JSON.stringify(dir.path)};
  let plans = 0;
  const op = defineOperation("app.step", async ({ facts, sh }, file, command, options = {}) => {
    plans++;
    if (options.skipIfPresent && await facts.files.stat(file)) {
      return { changed: false, description: "present" };
    }
    return { commands: [command], description: "ran " + file };
  });
  handler("after", () => log("handler ran"));
${body}
  log("plans: " + plans);
}
`,
    );
    return await runSkiff(["deploy", "@local", deploy, "-y", ...extra]);
  };

  await t.step("_chdir and _env reach its commands; _notify runs the handler", async () => {
    const result = await run(
      `  await op(dir + "/pwd", "pwd > pwd; echo $GREETING > env", { _chdir: dir, _env: { GREETING: "hi" }, _notify: "after" });`,
    );
    strictEqual(result.code, 0, result.stdout + result.stderr);
    strictEqual(await Deno.readTextFile(dir.join("pwd")), `${dir.path}\n`);
    strictEqual(await Deno.readTextFile(dir.join("env")), "hi\n");
    assertIncludes(
      result.stdout,
      `[@local] app.step ${dir.path}/pwd: changed (ran ${dir.path}/pwd)`,
    );
    assertIncludes(result.stdout, "[@local] plans: 1\n[@local] handler ran");
  });

  await t.step(
    "options beside control arguments reach the plan; a no-change skips the handler",
    async () => {
      const result = await run(
        `  await op(dir + "/pwd", "false", { skipIfPresent: true, _notify: "after" });`,
        "-v",
      );
      strictEqual(result.code, 0, result.stdout + result.stderr);
      assertIncludes(
        result.stdout,
        `[@local] app.step ${dir.path}/pwd: no change\n[@local] plans: 1`,
      );
      assertExcludes(result.stdout, "handler ran");
    },
  );

  await t.step("_if false skips it without planning; _name labels it", async () => {
    const result = await run(
      `  await op("x", "true", { _if: () => false });\n  await op("y", "true", { _name: "Named step" });`,
      "-v",
    );
    strictEqual(result.code, 0, result.stdout + result.stderr);
    assertIncludes(result.stdout, "[@local] app.step x: skipped (_if is false)");
    assertIncludes(result.stdout, "[@local] app.step Named step: changed (ran y)");
    assertIncludes(result.stdout, "[@local] plans: 1");
  });

  await t.step("_retries plans again before each attempt", async () => {
    const result = await run(
      `  await op("flaky", "if [ -e tried ]; then echo ok; else touch tried; exit 3; fi", { _chdir: dir, _retries: 1 });`,
    );
    strictEqual(result.code, 0, result.stdout + result.stderr);
    assertIncludes(result.stdout, "[@local] app.step flaky: changed (ran flaky)");
    assertIncludes(result.stdout, "[@local] plans: 2");
  });

  await t.step("a failing command fails the host naming it, with secrets masked", async () => {
    const result = await run(
      '  const pw = secret("hunter2-secret");\n' +
        '  await op("secretive", sh`echo ${pw} >&2; exit 4`);',
    );
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(result.stdout, "[@local] app.step secretive: failed: app.step:");
    assertIncludes(
      result.stdout,
      "Command failed on @local with exit code 4: echo *** >&2; exit 4",
    );
    assertExcludes(result.stdout + result.stderr, "hunter2-secret");
  });

  await t.step("a plan that returns something else fails naming the shape expected", async () => {
    await Deno.writeTextFile(
      deploy,
      `export default async ({ defineOperation }) => {\n  await defineOperation("app.bad", () => ({ command: "x", description: "d" }))("s");\n};\n`,
    );
    const result = await runSkiff(["deploy", "@local", deploy, "-y"]);
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(
      result.stdout,
      'app.bad: the plan must return { changed: false, description } or { commands, description, diff?, effect? }: unknown key "command" (did you mean "commands"?)',
    );
  });

  await t.step("a built-in operation's name is refused", async () => {
    await Deno.writeTextFile(
      deploy,
      `export default async ({ defineOperation }) => {\n  await defineOperation("files.put", () => ({ changed: false, description: "d" }))("s");\n};\n`,
    );
    const result = await runSkiff(["deploy", "@local", deploy, "-y"]);
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(
      result.stdout,
      'defineOperation: "files.put" is a built-in operation; choose another name',
    );
  });
});

Deno.test("a dry run after a defined operation: its effect names what may differ, else anything may", async (t) => {
  await using dir = await tempDir();
  const deploy = dir.join("deploy.ts");
  const dry = async (effect: string) => {
    await Deno.writeTextFile(
      deploy,
      `export default async function ({ defineOperation, ops }) {
  const dir = ${JSON.stringify(dir.path)};
  const op = defineOperation("app.seed", async ({ sh }) => ({
    commands: [sh\`mkdir -p \${dir + "/a"}\`],
    description: "seeded",
    ${effect}
  }));
  await op(dir + "/a");
  await ops.files.directory(dir + "/b");
  await ops.files.file(dir + "/a/x");
}
`,
    );
    const result = await runSkiff(["deploy", "@local", deploy, "--dry"]);
    strictEqual(result.code, 0, result.stdout + result.stderr);
    return result.stdout.split("\n").filter((line) => line.startsWith("[@local] files."));
  };
  const depends = "would change (depends on an earlier change)";
  await t.step("with effect: { paths }, only what is under them depends on it", async () => {
    deepStrictEqual(await dry(`effect: { paths: [dir + "/a"], users: true },`), [
      `[@local] files.directory ${dir.join("b")}: would change (created ${dir.join("b")})`,
      `[@local] files.file ${dir.join("a/x")}: ${depends}`,
    ]);
  });
  await t.step("without an effect, everything after it depends on it", async () => {
    deepStrictEqual(await dry(""), [
      `[@local] files.directory ${dir.join("b")}: ${depends}`,
      `[@local] files.file ${dir.join("a/x")}: ${depends}`,
    ]);
  });
  await t.step("a bad effect is refused naming the shape", async () => {
    await Deno.writeTextFile(
      deploy,
      `export default async ({ defineOperation }) => {\n  await defineOperation("app.bad", () => ({ commands: ["true"], description: "d", effect: { path: ["/x"] } }))("s");\n};\n`,
    );
    const result = await runSkiff(["deploy", "@local", deploy, "--dry"]);
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(
      result.stdout,
      'app.bad: the plan must return { changed: false, description } or { commands, description, diff?, effect? }: unknown effect "path" (did you mean "paths"?)',
    );
  });
});

Deno.test("a deploy's function that never returns (a plan, a filter) cannot hold a stop", async (t) => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("hang.ts"),
    `export default async ({ defineOperation, log }) => {\n  const op = defineOperation("app.hang", () => { log("planning"); return new Promise(() => {}); });\n  await op("forever");\n};\n`,
  );
  await t.step("--host-timeout fails the host", async () => {
    const result = await runSkiff([
      "deploy",
      "@local",
      dir.join("hang.ts"),
      "-y",
      "--host-timeout",
      "1",
    ]);
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(result.stdout, "did not finish within 1 s (--host-timeout): stopped");
  });
  await t.step("a template filter that never returns is stopped too", async () => {
    await Deno.writeTextFile(dir.join("t.j2"), "{{ 'x' | stuck }}\n");
    await Deno.writeTextFile(
      dir.join("filter.ts"),
      `export default async ({ ops }) => {\n  await ops.files.template("t.j2", ${
        JSON.stringify(dir.join("out"))
      }, { filters: { stuck: () => new Promise(() => {}) } });\n};\n`,
    );
    const result = await runSkiff([
      "deploy",
      "@local",
      dir.join("filter.ts"),
      "-y",
      "--host-timeout",
      "1",
    ]);
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(result.stdout, "did not finish within 1 s (--host-timeout): stopped");
    strictEqual(await Deno.stat(dir.join("out")).then(() => true, () => false), false);
  });
  await t.step("SIGTERM ends the run with 143", async () => {
    const child = spawnSkiff(["deploy", "@local", dir.join("hang.ts"), "-y"]);
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("planning")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGTERM");
    const status = await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    strictEqual(status.code, 143, seen);
  });
});
