import { deepStrictEqual, rejects, strictEqual, throws } from "node:assert/strict";
import { renderJinja } from "../../lib/operations/jinja/engine.ts";
import {
  type DeployFunction,
  deployFunctions,
  renderWithDeployFunctions,
} from "../../lib/operations/template_functions.ts";

/** Renders `source` with the given filters and tests, counting passes. */
async function render(
  source: string,
  filters: Record<string, DeployFunction>,
  tests: Record<string, DeployFunction> = {},
  context: Record<string, unknown> = {},
) {
  let passes = 0;
  const text = await renderWithDeployFunctions({ filters, tests }, (extra) => {
    passes++;
    return renderJinja(source, "t.j2", context, extra);
  });
  return { text, passes };
}

Deno.test("deploy filters: each distinct call once, independent calls in one pass", async () => {
  const calls: unknown[][] = [];
  const up = (...args: unknown[]) => (calls.push(args), String(args[0]).toUpperCase());
  const { text, passes } = await render(
    "{% for x in xs %}{{ x | up }}{{ 'k' | up }}{% endfor %}",
    { up },
    {},
    { xs: ["a", "b", "a"] },
  );
  strictEqual(text, "AKBKAK");
  deepStrictEqual(calls, [["a"], ["k"], ["b"]]);
  strictEqual(passes, 2);
});

Deno.test("deploy filters: a call that depends on another's answer waits a pass", async () => {
  const { text, passes } = await render("{{ 'a' | twice | twice }}", {
    twice: (s) => Promise.resolve(`${s}${s}`),
  });
  strictEqual(text, "aaaa");
  strictEqual(passes, 3);
});

Deno.test("deploy tests use Python truthiness and see plain values", async () => {
  const seen: unknown[] = [];
  const { text } = await render(
    "{% if xs is empty_list %}e{% endif %}{% if t is named(1.0, k=2) %}n{% endif %}",
    {},
    {
      empty_list: (v) => (seen.push(v), []),
      named: (...args) => (seen.push(args), 1),
    },
    { xs: [], t: [1, 2] },
  );
  strictEqual(text, "n");
  deepStrictEqual(seen, [[], [[1, 2], 1, { k: 2 }]]);
});

Deno.test("deploy filters: a failure is an error only where its answer is used", async () => {
  const bad = () => {
    throw new Error("nope");
  };
  // `ok` is unknown in the first pass, so `bad` is asked speculatively; its error is not used.
  const { text } = await render("{% if not ('x' | ok) %}{{ 'y' | bad }}{% endif %}done", {
    ok: () => true,
    bad,
  });
  strictEqual(text, "done");
  await rejects(render("{{ 'y' | bad }}", { bad }), /filter 'bad' failed: nope/);
});

Deno.test("deploy filters: undefined values and callables are refused before the call", async () => {
  let called = 0;
  const f = () => called++;
  await rejects(render("{{ nope | f }}", { f }), /undefined variable 'nope'/);
  await rejects(render("{{ range | f }}", { f }), /cannot pass the callable 'range' to filter 'f'/);
  strictEqual(called, 0);
});

Deno.test("deploy filters: too many distinct calls in one render are refused", async () => {
  await rejects(
    render("{% for i in range(10001) %}{{ i | f }}{% endfor %}", { f: (i) => i }),
    /did not settle \(10001 distinct calls in 1 passes\)/,
  );
});

Deno.test("deployFunctions checks names and values", () => {
  throws(
    () => deployFunctions({ filters: { "a-b": () => 1 } }),
    /filters name "a-b" is not a Jinja2 name/,
  );
  throws(() => deployFunctions({ tests: { t: 1 } }), /tests.t must be a function/);
  throws(() => deployFunctions({ filters: [] }), /filters must be an object of functions/);
  deepStrictEqual(Object.keys(deployFunctions({}).filters), []);
});
