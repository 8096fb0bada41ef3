import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { spawnSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

/** Live processes (not zombies) whose command line holds `marker`. */
function running(marker: string): string[] {
  const ps = new TextDecoder().decode(
    new Deno.Command("ps", { args: ["-eo", "stat,args"] }).outputSync().stdout,
  );
  return ps.split("\n").filter((line) =>
    line.includes(marker) && !line.startsWith("Z") && !line.includes("deno")
  );
}

/** Waits until a process with `marker` runs; fails the test if none ever does. */
async function waitForProcess(marker: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (running(marker).length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`No process with "${marker}" started within 5 s`);
}

Deno.test("SIGTERM (a cancelled CI job) stops skiff like Ctrl-C: exit 143, nothing left running", async (t) => {
  await t.step("skiff exec @local", async () => {
    const marker = `skiff-term-${crypto.randomUUID()}`;
    const child = spawnSkiff(["exec", "@local", "--", `sleep 41; echo ${marker}`]);
    await waitForProcess(marker);
    child.kill("SIGTERM");
    const output = await child.output();
    strictEqual(output.code, 143, new TextDecoder().decode(output.stderr));
    deepStrictEqual(running(marker), []);
  });
  await t.step("skiff deploy @local", async () => {
    await using dir = await tempDir();
    const marker = `skiff-term-${crypto.randomUUID()}`;
    await Deno.writeTextFile(
      dir.join("slow.ts"),
      `export default async ({ ops }) => {\n  await ops.server.shell("sleep 41; echo ${marker}");\n  await ops.files.file(${
        JSON.stringify(dir.join("after"))
      });\n};\n`,
    );
    const child = spawnSkiff(["deploy", "@local", dir.join("slow.ts"), "-y"]);
    await waitForProcess(marker);
    child.kill("SIGTERM");
    const output = await child.output();
    strictEqual(output.code, 143, new TextDecoder().decode(output.stderr));
    deepStrictEqual(running(marker), []);
    strictEqual(await Deno.stat(dir.join("after")).then(() => true, () => false), false);
  });
});
