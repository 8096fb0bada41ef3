import { throws } from "node:assert/strict";
import { renderTemplate } from "../../lib/operations/template.ts";

const FILES: Record<string, string> = {
  "/t/undefined.j2": "a\n{% for x in xs %}\n  {{ x.name }} {{ x.port }}\n{% endfor %}\n",
  "/t/unclosed.j2": "one\n{% if on %}\ntwo\n",
  "/t/filter.j2": "one\ntwo {{ 'x' | nosuchfilter }}\n",
  "/t/syntax.j2": "{{ 1 + }}\n",
  "/t/outer.j2": "head\n{% include 'inner.j2' %}\n",
  "/t/inner.j2": "ok\n{{ 1 / nothing }}\n",
  "/t/header.j2": "#jinja2: trim_blocks: maybe\n{{ 1 }}\n",
  "/t/mandatory.j2": "\n\n   {{ secret | mandatory }}\n",
  "/t/unterminated.j2": "x {{ 'open\n",
};

function render(path: string) {
  return renderTemplate(path, { xs: [{ name: "a" }], on: true }, {}, {
    label: path.slice(3),
    readText: (p) => {
      if (!(p in FILES)) throw new Deno.errors.NotFound(`no ${p}`);
      return FILES[p];
    },
  });
}

Deno.test("renderTemplate errors name the template, line and column, always", async (t) => {
  const cases: [string, string][] = [
    [
      "/t/undefined.j2",
      "files.template: undefined.j2 line 3, column 16: undefined variable 'x.port' in {{ x.port }}",
    ],
    [
      "/t/unclosed.j2",
      "files.template: unclosed.j2 line 2, column 1: missing {% endif %} before the end of the template in {% if on %}",
    ],
    [
      "/t/filter.j2",
      "files.template: filter.j2 line 2, column 5: unknown filter 'nosuchfilter' in {{ 'x' | nosuchfilter }}",
    ],
    [
      "/t/syntax.j2",
      "files.template: syntax.j2 line 1, column 1: expected an expression in {{ 1 + }}",
    ],
    [
      "/t/outer.j2",
      "files.template: outer.j2 (in inner.j2) line 2, column 1: undefined variable 'nothing' in {{ 1 / nothing }}",
    ],
    [
      "/t/header.j2",
      "files.template: header.j2 line 1, column 1: unsupported #jinja2: setting 'trim_blocks: maybe' (supported: trim_blocks, lstrip_blocks, keep_trailing_newline with True or False) in #jinja2: trim_blocks: maybe",
    ],
    [
      "/t/mandatory.j2",
      "files.template: mandatory.j2 line 3, column 4: mandatory variable 'secret' not defined in {{ secret | mandatory }}",
    ],
    [
      "/t/unterminated.j2",
      "files.template: unterminated.j2 line 1, column 3: unclosed tag, missing '}}' in {{ 'open",
    ],
  ];
  for (const [path, message] of cases) {
    await t.step(path, () => {
      throws(() => render(path), { name: "InputError", message });
    });
  }
});
