import { deepStrictEqual, rejects } from "node:assert/strict";
import { runSandboxedBoat } from "../../lib/sandbox/boat_sandbox.ts";
import { workerPermissions } from "../../lib/sandbox/worker_permissions.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("workerPermissions() grants reads of the given paths and nothing else", () => {
  deepStrictEqual(workerPermissions(["/a", "/b"]), {
    read: ["/a", "/b"],
    write: false,
    net: false,
    run: false,
    env: false,
    sys: false,
    ffi: false,
    import: false,
  });
});

Deno.test("runSandboxedBoat() refuses writes, even in the boat's own directory", async () => {
  await using dir = await tempDir();
  await using outside = await tempDir();
  const own = dir.join("written.txt");
  const elsewhere = outside.join("written.txt");
  await Deno.writeTextFile(
    dir.join("probe.ts"),
    `const attempt = async (fn) => { try { await fn(); return "allowed"; } catch (e) { return e.name; } };
export default {
  name: "probe",
  async hosts() {
    return {
      probe1: {
        own: await attempt(() => Deno.writeTextFile(${JSON.stringify(own)}, "x")),
        elsewhere: await attempt(() => Deno.writeTextFile(${JSON.stringify(elsewhere)}, "x")),
        mkdir: await attempt(() => Deno.mkdir(${JSON.stringify(dir.join("sub"))})),
        env: await attempt(() => Deno.env.get("HOME")),
      },
    };
  },
};
`,
  );
  const result = await runSandboxedBoat(dir.join("probe.ts"), {});
  deepStrictEqual(result, {
    name: "probe",
    hosts: {
      probe1: {
        own: "NotCapable",
        elsewhere: "NotCapable",
        mkdir: "NotCapable",
        env: "NotCapable",
      },
    },
  });
  for (const path of [own, elsewhere, dir.join("sub")]) {
    await rejects(Deno.stat(path), Deno.errors.NotFound, `${path} was created`);
  }
});
