import { deepStrictEqual } from "node:assert/strict";
import { ansibleView } from "../../lib/inventory/boats/ansible.ts";

const CORPUS = new URL("./ansible_corpus/", import.meta.url).pathname;

/** What `ansible-inventory --list` printed, in the shape skiff's view has. */
function expectedView(list: Record<string, unknown>) {
  const { _meta, ...groups } = list as {
    _meta: { hostvars: Record<string, Record<string, unknown>> };
  } & Record<string, { hosts?: string[]; children?: string[] }>;
  const shaped: Record<string, { hosts: string[]; children: string[] }> = {};
  for (const [name, group] of Object.entries(groups)) {
    shaped[name] = { hosts: group.hosts ?? [], children: group.children ?? [] };
  }
  return { hostvars: _meta.hostvars, groups: shaped };
}

Deno.test("the ansible boat reads each corpus inventory as ansible-inventory --list does", async (t) => {
  const cases = [...Deno.readDirSync(CORPUS)].filter((e) => e.isDirectory).map((e) => e.name)
    .sort();
  deepStrictEqual(cases.length, 10);
  for (const name of cases) {
    await t.step(name, async () => {
      const dir = `${CORPUS}${name}`;
      const file = [...Deno.readDirSync(dir)].find((e) => e.name.startsWith("inventory"))!.name;
      const expected = expectedView(JSON.parse(await Deno.readTextFile(`${dir}/expected.json`)));
      const view = await ansibleView(`${dir}/${file}`);
      const hostvars = Object.fromEntries(
        Object.entries(view.hostvars).filter(([, vars]) => Object.keys(vars).length > 0),
      );
      deepStrictEqual(hostvars, expected.hostvars);
      const groups = Object.fromEntries(
        Object.entries(view.groups).filter(([group, { hosts, children }]) =>
          group in expected.groups || hosts.length > 0 || children.length > 0
        ),
      );
      deepStrictEqual(groups, expected.groups);
    });
  }
});
