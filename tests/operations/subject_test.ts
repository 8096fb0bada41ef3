import { strictEqual } from "node:assert/strict";
import { subjectOf } from "../../lib/operations/subject.ts";

Deno.test("subjectOf() names what each call acts on, as its operation declares", async (t) => {
  const table: [string, unknown[], string][] = [
    ["server.shell", ["uptime"], "uptime"],
    ["server.shell", [["a", "b", "c"]], "a (+2 more)"],
    ["files.put", ["./app.conf", "/etc/app.conf"], "./app.conf"],
    ["files.put", [{ content: "x" }, "/etc/app.conf"], "/etc/app.conf"],
    ["files.template", [{ content: "{{ a }}" }, "/etc/t"], "/etc/t"],
    ["files.line", ["/etc/hosts", "127.0.0.1 a"], "/etc/hosts"],
    ["server.user", ["deploy", { present: true }], "deploy"],
    ["apt.packages", [["nginx", "curl"]], "nginx curl"],
    ["apt.packages", ["nginx"], "nginx"],
    ["systemd.service", ["nginx", { running: true }], "nginx"],
    ["git.repo", ["https://x", "/srv/app"], "/srv/app"],
    ["apt.key", ["/etc/apt/keyrings/k.asc", { src: "k.asc" }], "/etc/apt/keyrings/k.asc"],
    ["server.reboot", [{}], ""],
    ["apt.update", [], ""],
    ["no.such", ["x"], ""],
  ];
  for (const [name, args, expected] of table) {
    await t.step(`${name} ${JSON.stringify(args)}`, () => {
      strictEqual(subjectOf(name, args), expected);
    });
  }
});
