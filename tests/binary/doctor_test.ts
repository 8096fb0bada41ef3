import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { PERMISSION_FLAGS } from "../../lib/build/permissions.ts";
import { LOCAL_PATH_POLICY } from "../../lib/operations/local_paths.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

/** Where this machine's shell finds `name`, asked the way skiff asks. */
async function commandPath(name: string): Promise<string> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${name}`] }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("skiff doctor prints the granted permissions and finds a running ssh-agent", async (t) => {
  await using dir = await tempDir();
  await t.step("without an agent", async () => {
    const run = await runSkiff(["doctor", "--json"], { env: { HOME: dir.path } });
    strictEqual(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    deepStrictEqual(report.permissions, PERMISSION_FLAGS.map((flag) => ({ flag, granted: true })));
    deepStrictEqual(report.ssh.agent, { socket: null, reachable: false });
    deepStrictEqual(report.ssh.config, { path: `${dir.path}/.ssh/config`, exists: false });
    strictEqual(report.programs.sh, await commandPath("sh"));
    deepStrictEqual(report.sandbox, LOCAL_PATH_POLICY);
  });
  await t.step("with an agent", async () => {
    const socket = dir.join("agent.sock");
    const agent = new Deno.Command("ssh-agent", {
      args: ["-D", "-a", socket],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      for (let i = 0; i < 100 && !(await Deno.stat(socket).then(() => true, () => false)); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const run = await runSkiff(["doctor"], { env: { HOME: dir.path, SSH_AUTH_SOCK: socket } });
      assertIncludes(run.stdout, `  agent        reachable at ${socket}\n`);
      assertIncludes(run.stdout, `  ${PERMISSION_FLAGS[0]}  granted\n`);
      assertIncludes(
        run.stdout,
        'deploy sandbox (README "Deploys run sandboxed"):\n' +
          "  deploy code  reads only the deploys' directories and --allow-read/allow_read paths; no writes, network, processes or environment\n" +
          "  operations   read local files only inside the deploys' directories and --allow-read/allow_read paths\n" +
          "  operations   write local files only inside --allow-write/allow_write paths\n" +
          "  paths        resolved (.., symlinks) before the check; a refusal names the flag that grants it (exit 2)\n" +
          "  @local       the target is this machine: its operations act on it as the operator\n",
      );
    } finally {
      agent.kill();
      await agent.status;
    }
  });
});

Deno.test("a denied permission is explained instead of an uncaught NotCapable", async () => {
  const run = await runSkiff([
    "exec",
    "@docker/x",
    "--data",
    "docker_cli=/opt/skiff-nowhere/docker",
    "--",
    "id",
  ]);
  strictEqual(run.code, 1);
  strictEqual(
    run.stderr,
    `[@docker/x] could not connect: skiff may not run "/opt/skiff-nowhere/docker": its permission set ` +
      "(lib/build/permissions.flags, shown by `skiff doctor`) lacks --allow-run for it; use a program in the allow list " +
      "or rebuild skiff with it added\n0 of 1 hosts succeeded\n",
  );
});
