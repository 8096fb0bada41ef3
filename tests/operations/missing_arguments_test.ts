import { rejects } from "node:assert/strict";
import { localHarness } from "../helpers/ops.ts";

Deno.test("an operation called with too few arguments says which one is missing, never crashes", async (t) => {
  const h = localHarness("/tmp");
  await t.step("files.link(path)", async () => {
    await rejects(h.op("files.link", "/tmp/skiff-missing-target"), {
      name: "InputError",
      message: "files.link target: expected a path, got undefined",
    });
  });
  await t.step("files.put(src)", async () => {
    await rejects(h.op("files.put", "a.txt"), {
      name: "InputError",
      message:
        "files.put: argument 2 (dest) is missing: files.put(src, dest, {mode, user, group, createRemoteDir})",
    });
  });
  await t.step("a wrong type names the option and what it must be", async () => {
    await rejects(h.op("files.directory", "/tmp/skiff-x", { mode: 755 }), {
      name: "InputError",
      message: 'files.directory: option "mode" must be a string, got 755',
    });
    await rejects(h.op("server.user", { name: "x", home: "/home/x" }), {
      name: "InputError",
      message:
        'server.user: the name comes first, then the options: ops.server.user("deploy", { shell: "/bin/bash", groups: ["www-data"] })',
    });
    await rejects(h.op("apt.packages", { packages: ["nginx"] }), {
      name: "InputError",
      message:
        'apt.packages: the packages comes first, then the options: ops.apt.packages(["nginx"], { update: true, cacheTime: 3600 })',
    });
  });
});
