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
      message: "files.put dest: expected a path, got undefined",
    });
  });
});
