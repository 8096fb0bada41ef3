import { strictEqual } from "node:assert/strict";
import { stagedMoveCommand } from "../../connectors/_staged_upload.ts";

Deno.test("stagedMoveCommand() copies, sets the mode and renames, removing its temp on failure", async (t) => {
  const temp = "/etc/.motd.skiff-1";
  await t.step("from a staged copy, with a mode", () => {
    strictEqual(
      stagedMoveCommand("/etc/motd", { temp, staging: "/tmp/.skiff-put-x", chmod: "640" })
        .render(),
      "cp /tmp/.skiff-put-x /etc/.motd.skiff-1 && chmod 640 /etc/.motd.skiff-1 && " +
        "mv -f /etc/.motd.skiff-1 /etc/motd || { rm -f /etc/.motd.skiff-1; exit 1; }",
    );
  });
  await t.step("from a staged copy, without a mode", () => {
    strictEqual(
      stagedMoveCommand("/etc/my motd", { temp: "/etc/.my motd.t", staging: "/tmp/s" }).render(),
      "cp /tmp/s '/etc/.my motd.t' && mv -f '/etc/.my motd.t' '/etc/my motd' || " +
        "{ rm -f '/etc/.my motd.t'; exit 1; }",
    );
  });
  await t.step("staged in place, keeping the replaced file's mode", () => {
    strictEqual(
      stagedMoveCommand("/etc/motd", { temp, keepMode: true }).render(),
      '{ [ ! -e /etc/motd ] || chmod "$(stat -c %a /etc/motd 2>/dev/null)" /etc/.motd.skiff-1 ' +
        "2>/dev/null || :; } && mv -f /etc/.motd.skiff-1 /etc/motd",
    );
  });
  await t.step("a mode wins over keepMode", () => {
    strictEqual(
      stagedMoveCommand("/etc/motd", { temp, chmod: "600", keepMode: true }).render(),
      "chmod 600 /etc/.motd.skiff-1 && mv -f /etc/.motd.skiff-1 /etc/motd",
    );
  });
});
