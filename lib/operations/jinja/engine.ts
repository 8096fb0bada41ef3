/**
 * skiff's Jinja2 engine: Jinja2 3.1's syntax and Python semantics with
 * Ansible's filters and tests built in. Ansible's settings are the default
 * (`trim_blocks` on, None printed as ''); a `#jinja2:` first line sets
 * `trim_blocks`, `lstrip_blocks` and `keep_trailing_newline` and is removed,
 * as Ansible's `template` module does.
 *
 * @module
 */

import type { JinjaSettings } from "../../api/mod.ts";
import { ANSIBLE_FILTERS, ANSIBLE_TESTS } from "./ansible.ts";
import { JINJA_FILTERS, JINJA_TESTS } from "./filters.ts";
import { lex } from "./lexer.ts";
import { GLOBALS } from "./methods.ts";
import { type Node, parse } from "./parser.ts";
import { type Filter, Renderer, Scope, type Test } from "./render.ts";
import { TemplateError } from "./py.ts";

export { TemplateError } from "./py.ts";
export type { Filter, Test } from "./render.ts";

/** Jinja2 settings (Jinja2's names in camelCase); Ansible's are the default. */
export type JinjaOptions = JinjaSettings;

const HEADER_KEYS: Record<string, keyof JinjaOptions> = {
  trim_blocks: "trimBlocks",
  lstrip_blocks: "lstripBlocks",
  keep_trailing_newline: "keepTrailingNewline",
};

/** Reads a `#jinja2: key: value, …` first line into settings. */
function header(line: string): JinjaOptions {
  const out: JinjaOptions = {};
  for (const pair of line.slice("#jinja2:".length).split(",")) {
    const at = pair.indexOf(":");
    const key = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const option = HEADER_KEYS[key];
    if (at < 0 || !option || !/^(True|False)$/.test(value)) {
      const error = new TemplateError(
        `unsupported #jinja2: setting '${pair.trim()}' (supported: ${
          Object.keys(HEADER_KEYS).join(", ")
        } with True or False)`,
      );
      error.at = { line: 1, column: 1, tag: line };
      throw error;
    }
    out[option] = value === "True";
  }
  return out;
}

function compile(source: string, name: string, options: JinjaOptions, firstLine = 1): Node[] {
  try {
    return parse(
      lex(source, {
        trimBlocks: options.trimBlocks ?? true,
        lstripBlocks: options.lstripBlocks ?? false,
      }, firstLine),
      name,
    );
  } catch (error) {
    if (error instanceof TemplateError && error.at && !error.at.file) error.at.file = name;
    throw error;
  }
}

/**
 * Renders the template `source` named `name` with `context`. `load` reads a
 * template that `{% include %}` or `{% extends %}` names. Errors are
 * {@link TemplateError}s carrying the template, line and column in `at`.
 *
 * @example
 * ```ts
 * import { renderJinja } from "./engine.ts";
 * const text = renderJinja(
 *   "{% for u in users if u.on %}\n{{ u.name | upper }} {{ u.on }}\n{% endfor %}",
 *   "users.j2",
 *   { users: [{ name: "ann", on: true }, { name: "bob", on: false }] },
 * );
 * if (text !== "ANN True\n") throw new Error(text);
 * ```
 */
export function renderJinja(
  source: string,
  name: string,
  context: Record<string, unknown>,
  options: JinjaOptions & {
    load?: (name: string) => string;
    /** Filters besides the built-in ones (a deploy's own); they win over a built-in of that name. */
    filters?: Record<string, Filter>;
    /** Tests besides the built-in ones. */
    tests?: Record<string, Test>;
  } = {},
): string {
  let settings: JinjaOptions = options;
  let firstLine = 1;
  if (source.startsWith("#jinja2:")) {
    const eol = source.indexOf("\n");
    const line = eol < 0 ? source : source.slice(0, eol);
    try {
      settings = { ...options, ...header(line) };
    } catch (error) {
      if (error instanceof TemplateError && error.at) error.at.file = name;
      throw error;
    }
    source = eol < 0 ? "" : source.slice(eol + 1);
    firstLine = 2;
  }
  const ansible = settings.ansible ?? true;
  const keep = settings.keepTrailingNewline ?? !ansible;
  const trailing = (text: string) => text.length - text.replace(/\n+$/, "").length;
  const nodes = compile(keep ? source : source.replace(/\r?\n$/, ""), name, settings, firstLine);
  const renderer = new Renderer({
    filters: { ...JINJA_FILTERS, ...ANSIBLE_FILTERS, ...options.filters },
    tests: { ...JINJA_TESTS, ...ANSIBLE_TESTS, ...options.tests },
    globals: GLOBALS,
    noneAsEmpty: ansible,
    load: (included) => {
      if (!options.load) throw new TemplateError(`cannot include '${included}' here`);
      return { nodes: compile(options.load(included), included, settings), name: included };
    },
  });
  const scope = new Scope();
  for (const [k, v] of Object.entries(context)) scope.vars.set(k, v);
  const text = renderer.document(nodes, name, scope);
  const missing = ansible ? trailing(source) - trailing(text) : 0;
  return missing > 0 ? text + "\n".repeat(missing) : text;
}
