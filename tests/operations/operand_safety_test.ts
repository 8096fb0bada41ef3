/**
 * Values that could be taken for options or could add fields are refused
 * before anything runs on the target: an attacker who chooses a name a
 * deploy passes on (a file name, a link target, a user, a service, a
 * keyring path) cannot turn it into `--target-directory=/dir` or
 * `Trusted: yes`.
 */
import { rejects, strictEqual } from "node:assert/strict";
import { localHarness } from "../helpers/ops.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("names and paths starting with - are refused, not taken as options", async (t) => {
  await using dir = await tempDir();
  const h = localHarness();
  await t.step("files.link target", async () => {
    await rejects(h.op("files.link", dir.join("l"), `--target-directory=${dir.path}/x`), {
      name: "InputError",
      message:
        `files.link target: a path must not start with "-", got "--target-directory=${dir.path}/x"`,
    });
    strictEqual(h.commands().length, 0);
  });
  await t.step("paths of files.put, files.file, files.directory", async () => {
    for (
      const [name, args] of [
        ["files.put", [{ content: "x" }, "-x"]],
        ["files.file", ["--help"]],
        ["files.directory", ["-p"]],
      ] as const
    ) {
      await rejects(h.op(name, ...args), {
        name: "InputError",
        message: /must not start with "-"/,
      });
    }
  });
  await t.step("user and group", async () => {
    await rejects(h.op("files.file", dir.join("f"), { user: "--reference=/etc/shadow" }), {
      name: "InputError",
      message: `user and group: expected a name, got "--reference=/etc/shadow"`,
    });
    await rejects(h.op("files.put", { content: "x" }, dir.join("f"), { group: "-R" }), {
      name: "InputError",
    });
  });
  await t.step("service and unit names", async () => {
    await rejects(h.op("systemd.service", "--global", { running: true }), {
      name: "InputError",
      message: `systemd.service: service must be a unit name such as "nginx", got "--global"`,
    });
    await rejects(h.op("systemd.unit", "--x.service", "[Unit]\n"), { name: "InputError" });
  });
  strictEqual(h.commands().length, 0);
});

Deno.test("apt.repo signedBy is one absolute path: a newline cannot add Trusted: yes", async () => {
  const h = localHarness();
  await rejects(
    h.op("apt.repo", "x", {
      uris: "https://pkg.example/deb",
      suites: "stable",
      components: "main",
      signedBy: "/etc/apt/keyrings/x.asc\nTrusted: yes",
    }),
    {
      name: "InputError",
      message:
        `apt.repo: signedBy must be the absolute path of a keyring, got "/etc/apt/keyrings/x.asc\\nTrusted: yes"`,
    },
  );
  strictEqual(h.commands().length, 0);
});
