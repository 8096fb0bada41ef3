/**
 * The template conformance corpus: every `template_corpus/NAME.j2` rendered
 * with `NAME.json` by skiff's engine must equal, byte for byte, what Ansible's
 * `template` module wrote (`NAME.ansible.out`, skiff's default settings) and
 * what plain Jinja2 as pyinfra sets it up wrote (`NAME.jinja2.out`, rendered
 * here with `{ trimBlocks: false, ansible: false }`). The expected files come
 * from `template_corpus/generate.py`, run by hand with Debian's python3-jinja2
 * and ansible-core; CI needs neither.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { renderJinja } from "../../lib/operations/jinja/engine.ts";

const DIR = new URL("./template_corpus/", import.meta.url);

/**
 * Corpus cases that do not match yet, each with the reason. A case listed
 * here that starts matching fails the test, so the list stays true.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {};

const names = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".j2"))
  .map((n) => n.slice(0, -3)).sort();

function expected(name: string, ref: string): string | undefined {
  try {
    return Deno.readTextFileSync(new URL(`${name}.${ref}.out`, DIR));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

Deno.test("the template corpus renders byte for byte as Ansible and Jinja2 do", async (t) => {
  const results: Record<string, boolean> = {};
  for (const name of names) {
    const source = Deno.readTextFileSync(new URL(`${name}.j2`, DIR));
    const data = JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, DIR)));
    for (const ref of ["ansible", "jinja2"] as const) {
      const want = expected(name, ref);
      if (want === undefined) continue;
      const id = `${name} (${ref})`;
      await t.step(id, () => {
        const got = renderJinja(
          source,
          `${name}.j2`,
          structuredClone(data),
          {
            ...(ref === "ansible" ? {} : { trimBlocks: false, ansible: false }),
            load: (included) => Deno.readTextFileSync(new URL(included, DIR)),
          },
        );
        results[id] = got === want;
        if (!(id in KNOWN_DIFFERENCES)) strictEqual(got, want);
      });
    }
  }
  // Known differences are listed with a reason, and the list is exact.
  deepStrictEqual(
    Object.keys(results).filter((id) => !results[id]).sort(),
    Object.keys(KNOWN_DIFFERENCES).sort(),
  );
  strictEqual(Object.keys(results).length >= 63, true, "corpus cases went missing");
});

Deno.test("every corpus template has data and at least one reference output", () => {
  for (const name of names) {
    Deno.statSync(new URL(`${name}.json`, DIR));
    strictEqual(
      expected(name, "ansible") !== undefined || expected(name, "jinja2") !== undefined,
      true,
      `${name} has no expected output`,
    );
  }
});
