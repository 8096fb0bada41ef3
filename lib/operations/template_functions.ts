/**
 * A deploy's own template filters and tests (`files.template(src, dest,
 * { filters, tests })`). They are the deploy's functions, so they run where
 * the deploy runs: in its sandbox, never with skiff's permissions. A call
 * from the sandbox is asynchronous and the engine is not, so a template is
 * rendered in passes: a pass that meets a call it has no answer for yet
 * notes it and goes on with None, the noted calls are made together, and
 * the template is rendered again with their answers. Only a pass that
 * needed nothing new counts, so the output is what rendering with the
 * functions called in place would give, provided they are pure (same
 * arguments, same answer): each distinct call is made once per render.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { type Filter, TemplateError, type Test } from "./jinja/engine.ts";
import { Namespace, PyFloat, PyFn, truthy, Undef } from "./jinja/py.ts";

/** A filter or test of the deploy's: the value first, then the arguments, then keywords. */
export type DeployFunction = (...args: unknown[]) => unknown;

/** The filters and tests a deploy passed, checked. */
export interface DeployFunctions {
  /** Filters by name. */
  readonly filters: Readonly<Record<string, DeployFunction>>;
  /** Tests by name. */
  readonly tests: Readonly<Record<string, DeployFunction>>;
}

/** More passes than this means the template keeps needing new calls. */
const MAX_PASSES = 50;
/** More distinct calls than this in one render is refused. */
const MAX_CALLS = 10_000;

function checked(kind: "filters" | "tests", value: unknown): Record<string, DeployFunction> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(
      `files.template: ${kind} must be an object of functions such as { shout: (s) => s.toUpperCase() }`,
    );
  }
  const out: Record<string, DeployFunction> = {};
  for (const [name, fn] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InputError(`files.template: ${kind} name "${name}" is not a Jinja2 name`);
    }
    if (typeof fn !== "function") {
      throw new InputError(`files.template: ${kind}.${name} must be a function`);
    }
    out[name] = fn as DeployFunction;
  }
  return out;
}

/** Reads and checks `filters` and `tests` from `files.template`'s options. */
export function deployFunctions(options: { filters?: unknown; tests?: unknown }): DeployFunctions {
  return { filters: checked("filters", options.filters), tests: checked("tests", options.tests) };
}

/** A template value as plain data for the deploy's function (tuples as lists, floats as numbers). */
function plain(value: unknown, what: string): unknown {
  if (value instanceof Undef) value.fail();
  if (value instanceof PyFloat) return value.v;
  if (value instanceof Namespace) return plain({ ...value.vars }, what);
  if (value instanceof PyFn) {
    throw new TemplateError(`cannot pass the callable '${value.name}' to ${what}`);
  }
  if (Array.isArray(value)) return Array.from(value, (item) => plain(item, what));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, what)]));
  }
  return value;
}

type Answer = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Renders with the deploy's filters and tests: `render` is called with the
 * filters and tests to add to the engine's, once per pass, until a pass
 * needs no call it has not made.
 *
 * @example
 * ```ts
 * import { renderWithDeployFunctions } from "./template_functions.ts";
 * import { renderJinja } from "./jinja/engine.ts";
 * const text = await renderWithDeployFunctions(
 *   { filters: { shout: async (s) => String(s).toUpperCase() }, tests: {} },
 *   (extra) => renderJinja("{{ 'hi' | shout }}", "t.j2", {}, extra),
 * );
 * if (text !== "HI") throw new Error(text);
 * ```
 */
export async function renderWithDeployFunctions(
  functions: DeployFunctions,
  render: (extra: { filters: Record<string, Filter>; tests: Record<string, Test> }) => string,
): Promise<string> {
  const names = [...Object.keys(functions.filters), ...Object.keys(functions.tests)];
  if (names.length === 0) return render({ filters: {}, tests: {} });
  const answers = new Map<string, Answer>();
  for (let pass = 1;; pass++) {
    const wanted = new Map<string, () => unknown>();
    const ask = (kind: "filter" | "test", name: string, fn: DeployFunction) => {
      const what = `${kind} '${name}'`;
      return (value: unknown, args: unknown[], kw: Record<string, unknown>): unknown => {
        const callArgs = [value, ...args];
        if (Object.keys(kw).length > 0) callArgs.push(kw);
        const given = callArgs.map((arg) => plain(arg, what));
        const key = `${kind}\0${name}\0${JSON.stringify(given)}`;
        const answer = answers.get(key);
        if (answer?.ok) return answer.value;
        if (answer) throw new TemplateError(`${what} failed: ${answer.message}`);
        if (!wanted.has(key)) wanted.set(key, () => fn(...given));
        return null;
      };
    };
    const filters: Record<string, Filter> = {};
    for (const [name, fn] of Object.entries(functions.filters)) {
      filters[name] = ask("filter", name, fn);
    }
    const tests: Record<string, Test> = {};
    for (const [name, fn] of Object.entries(functions.tests)) {
      const call = ask("test", name, fn);
      tests[name] = (value, args, kw) => truthy(call(value, args, kw));
    }
    let text = "";
    let failure: unknown;
    try {
      text = render({ filters, tests });
    } catch (error) {
      failure = error;
    }
    if (wanted.size === 0) {
      if (failure !== undefined) throw failure;
      return text;
    }
    if (pass >= MAX_PASSES || answers.size + wanted.size > MAX_CALLS) {
      throw new InputError(
        `files.template: the template's calls of the deploy's filters and tests did not settle ` +
          `(${answers.size + wanted.size} distinct calls in ${pass} passes)`,
      );
    }
    await Promise.all(
      [...wanted].map(async ([key, call]) => {
        try {
          const value = await call();
          answers.set(key, { ok: true, value: value === undefined ? null : value });
        } catch (error) {
          answers.set(key, { ok: false, message: (error as Error)?.message ?? String(error) });
        }
      }),
    );
  }
}
