import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { LocalConnector } from "../../connectors/local.ts";
import { SecretValue } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import { connectorHarness, localHarness } from "../helpers/ops.ts";
import { tempDir } from "../helpers/temp.ts";

const TEMPLATE = `# {{ host.name }} in {{ host.groups | join(",") }}
listen {{ port }};
site {{ config.site }};
{% for user in users %}allow {{ user }};
{% endfor %}{% include "footer.j2" %}`;

Deno.test("files.template renders with host data, config and passed data, once", async (t) => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.join("templates"));
  await Deno.writeTextFile(dir.join("templates/app.conf.j2"), TEMPLATE);
  await Deno.writeTextFile(dir.join("templates/footer.j2"), "password {{ db_password }}\n");
  await Deno.writeTextFile(dir.join("templates/bad.j2"), "ok {{ port }}\nnot {{ missing }} here\n");
  const host = {
    name: "@local",
    data: { port: 8080, db_password: new SecretValue("s3cret") },
    groups: ["all", "web"],
  };
  const h = connectorHarness(
    host,
    new LocalConnector(host, { runProcess }),
    dir.path,
    { site: "example.org" },
  );
  const dest = dir.join("out/app.conf");
  const expected =
    "# @local in all,web\nlisten 8080;\nsite example.org;\nallow ann;\nallow bob;\npassword s3cret\n";
  await t.step("dry run shows the diff and writes nothing", async () => {
    const result = await h.dry("files.template", "templates/app.conf.j2", dest, {
      data: { users: ["ann", "bob"] },
      createRemoteDir: true,
    });
    deepStrictEqual([result.changed, result.description], [true, `created ${dest}`]);
    strictEqual(
      result.diff?.split("\n").slice(0, 4).join("\n"),
      `--- /dev/null\n+++ ${dest}\n@@ -0,0 +1,6 @@\n+# @local in all,web`,
    );
    strictEqual(await Deno.stat(dest).then(() => true, () => false), false);
  });
  await t.step("first run writes it", async () => {
    const result = await h.op("files.template", "templates/app.conf.j2", dest, {
      data: { users: ["ann", "bob"] },
      createRemoteDir: true,
      mode: "640",
    });
    strictEqual(result.changed, true);
    strictEqual(await Deno.readTextFile(dest), expected);
    strictEqual(((await Deno.stat(dest)).mode! & 0o777).toString(8), "640");
  });
  await t.step("second run changes nothing", async () => {
    const result = await h.op("files.template", "templates/app.conf.j2", dest, {
      data: { users: ["ann", "bob"] },
      mode: "640",
    });
    deepStrictEqual([result.changed, result.description], [false, `${dest} is up to date`]);
  });
  await t.step("passed data wins over host data", async () => {
    const result = await h.op("files.template", "templates/app.conf.j2", dest, {
      data: { users: [], port: 9090 },
    });
    assertIncludes(result.diff, "-listen 8080;\n+listen 9090;");
  });
  await t.step(
    "an undefined variable is an error with the template, line and expression",
    async () => {
      await rejects(h.op("files.template", "templates/bad.j2", dest), {
        name: "InputError",
        message:
          "files.template: templates/bad.j2 line 2, column 5: undefined variable 'missing' in {{ missing }}",
      });
      await rejects(h.op("files.template", "templates/none.j2", dest), {
        name: "InputError",
        message: new RegExp(`^files\\.template: cannot read templates/none\\.j2: No such file`),
      });
    },
  );
});

Deno.test("files.template uses Ansible's settings unless jinja or the #jinja2: line says otherwise", async (t) => {
  await using dir = await tempDir();
  const h = localHarness();
  const src = dir.join("t.j2");
  await Deno.writeTextFile(src, "{% if on %}\non {{ none }}\n{% endif %}\n");
  const render = async (options: Record<string, unknown>) => {
    const dest = dir.join(`out-${crypto.randomUUID()}`);
    await h.op("files.template", src, dest, { data: { on: true, none: null }, ...options });
    return await Deno.readTextFile(dest);
  };
  await t.step("default: trim_blocks on, None as ''", async () => {
    strictEqual(await render({}), "on \n");
  });
  await t.step("jinja: { trimBlocks: false, ansible: false } is plain Jinja2", async () => {
    strictEqual(await render({ jinja: { trimBlocks: false, ansible: false } }), "\non None\n\n");
  });
  await t.step("the #jinja2: first line is honoured and removed", async () => {
    await Deno.writeTextFile(src, "#jinja2: trim_blocks: False\n{% if on %}\non\n{% endif %}\n");
    strictEqual(await render({}), "\non\n");
  });
  await t.step("an unknown or mistyped jinja setting is refused", async () => {
    await rejects(render({ jinja: { trim_blocks: false } }), {
      name: "InputError",
      message:
        'files.template: unknown jinja setting "trim_blocks" (known: trimBlocks, lstripBlocks, keepTrailingNewline, ansible)',
    });
    await rejects(render({ jinja: { trimBlocks: "no" } }), {
      name: "InputError",
      message: "files.template: jinja.trimBlocks must be true or false",
    });
  });
  await t.step("ansible_managed is Ansible's text, as `comment` templates expect", async () => {
    await Deno.writeTextFile(src, "{{ ansible_managed | comment }}\n");
    strictEqual(await render({}), "#\n# Ansible managed\n#\n");
  });
});

Deno.test("files.replace edits by regular expression, once", async () => {
  await using dir = await tempDir();
  const h = localHarness();
  const path = dir.join("app.ini");
  await Deno.writeTextFile(path, "port=80\nhost=a\nport=81\n");
  const result = await h.op("files.replace", path, "^port=\\d+$", "port=8080");
  deepStrictEqual([result.changed, result.description], [true, `edited ${path}`]);
  strictEqual(await Deno.readTextFile(path), "port=8080\nhost=a\nport=8080\n");
  strictEqual((await h.op("files.replace", path, /^port=\d+$/m, "port=8080")).changed, false);
  await rejects(h.op("files.replace", path, "(", "x"), {
    name: "InputError",
    message:
      'files.replace: invalid regular expression "(": Invalid regular expression: /(/gm: Unterminated group',
  });
});

Deno.test("server.sysctl reads without changing what already matches; persist writes the file once", async () => {
  await using dir = await tempDir();
  const h = localHarness();
  const file = dir.join("99-skiff.conf");
  const ostype = new TextDecoder().decode(
    (await new Deno.Command("sysctl", { args: ["-n", "kernel.ostype"] }).output()).stdout,
  ).trim();
  const result = await h.op("server.sysctl", "kernel.ostype", ostype, { persist: true, file });
  deepStrictEqual([result.changed, result.description], [true, `created ${file}`]);
  strictEqual(await Deno.readTextFile(file), `kernel.ostype = ${ostype}\n`);
  const again = await h.op("server.sysctl", "kernel.ostype", ostype, { persist: true, file });
  deepStrictEqual([again.changed, again.description], [false, `kernel.ostype is ${ostype}`]);
  await rejects(h.op("server.sysctl", "kernel.no_such_key_xyz", "1"), {
    name: "OperationError",
    message:
      "Command failed on @local with exit code 1 (general error): sysctl -n kernel.no_such_key_xyz\n" +
      "sysctl: cannot stat /proc/sys/kernel/no_such_key_xyz: No such file or directory",
  });
});
