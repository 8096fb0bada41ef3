import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { Command, quote, raw, secret, sh } from "../../lib/core/command.ts";

Deno.test("quote() single-quotes what the shell would interpret", async (t) => {
  const cases: [string, string][] = [
    ["plain", "plain"],
    ["", "''"],
    ["a b", "'a b'"],
    ["it's", `'it'"'"'s'`],
    ['say "hi"', `'say "hi"'`],
    ["$(rm -rf /)", "'$(rm -rf /)'"],
    ["`id`", "'`id`'"],
    ["line1\nline2", "'line1\nline2'"],
    ["héllo wörld", "'héllo wörld'"],
    ["/usr/bin:x=1,y@z%", "/usr/bin:x=1,y@z%"],
    ["*", "'*'"],
  ];
  for (const [input, expected] of cases) {
    await t.step(JSON.stringify(input), () => strictEqual(quote(input), expected));
  }
});

Deno.test("sh`` quotes interpolations, expands arrays and honours raw()", () => {
  strictEqual(sh`rm -f ${"a b"}`.render(), "rm -f 'a b'");
  strictEqual(sh`touch ${["x y", "z", 3]}`.render(), "touch 'x y' z 3");
  strictEqual(sh`echo ${raw("$HOME")}`.render(), "echo $HOME");
  strictEqual(sh`a ${sh`b ${"c d"}`}`.render(), "a b 'c d'");
  strictEqual(sh`echo ${[]}`.render(), "echo ");
});

Deno.test("sh`` rejects Promises and plain objects with a TypeError", () => {
  throws(() => sh`echo ${Promise.resolve("x") as unknown as string}`, {
    name: "TypeError",
    message: "Cannot interpolate a Promise into a command: await it first",
  });
  throws(() => sh`echo ${{ a: 1 } as unknown as string}`, {
    name: "TypeError",
    message: "Cannot interpolate an object (Object) into a command",
  });
  throws(() => sh`echo ${undefined as unknown as string}`, {
    name: "TypeError",
    message: "Cannot interpolate undefined into a command",
  });
});

Deno.test("Command masks secrets in renderMasked(), toString() and JSON", () => {
  const cmd = sh`mysql -u root -p${secret("hunter2")} -e ${"select 1"}`;
  strictEqual(cmd.render(), "mysql -u root -phunter2 -e 'select 1'");
  strictEqual(cmd.renderMasked(), "mysql -u root -p*** -e 'select 1'");
  strictEqual(String(cmd), "mysql -u root -p*** -e 'select 1'");
  strictEqual(JSON.stringify({ cmd }), `{"cmd":"mysql -u root -p*** -e 'select 1'"}`);
  strictEqual(JSON.stringify(secret("x")), '"***"');
  strictEqual(`${secret("x")}`, "***");
  deepStrictEqual(cmd.secrets, ["hunter2"]);
});

Deno.test("Command.quoted() keeps secrets as secrets one level deeper", () => {
  const inner = sh`echo ${secret("it's")}`;
  const outer = Command.join([Command.of("sh -c"), inner.quoted()]);
  strictEqual(outer.renderMasked(), "sh -c 'echo ***'");
  strictEqual(outer.render(), `sh -c 'echo '"'"'it'"'"'"'"'"'"'"'"'s'"'"''`);
  const exec = outer.renderForExec();
  strictEqual(exec.text, `sh -c 'echo "$SKIFF_SECRET_0"'`);
  deepStrictEqual(exec.secretEnv, { SKIFF_SECRET_0: "it's" });
});

Deno.test("Command.render() of a quoted secret runs through sh to the exact value", async () => {
  const value = `a'b"c $(x) \`y\``;
  const outer = Command.join([Command.of("sh -c"), sh`printf %s ${secret(value)}`.quoted()]);
  const out = await new Deno.Command("sh", { args: ["-c", outer.render()] }).output();
  strictEqual(new TextDecoder().decode(out.stdout), value);
});
