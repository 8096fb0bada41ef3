/**
 * `files.template`: renders a Jinja2 template on the controller with
 * skiff's engine (`./jinja/`: Jinja2's syntax and Python semantics,
 * Ansible's filters and tests and Ansible's settings by default), then
 * writes it like `files.put` (skipped when the sha256 matches, with a diff
 * for `--diff`).
 *
 * @module
 */

import { SecretValue } from "../core/command.ts";
import type { FileAttributes, OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import type { OpContext } from "./context.ts";
import { put } from "./files.ts";
import {
  type Filter,
  type JinjaOptions,
  renderJinja,
  TemplateError,
  type Test,
} from "./jinja/engine.ts";
import { deployFunctions, renderWithDeployFunctions } from "./template_functions.ts";

/** Template settings: `jinja: { trimBlocks, lstripBlocks, keepTrailingNewline, ansible }`. */
export interface TemplateOptions {
  /** Jinja2 settings; Ansible's are the default (`trimBlocks` on, None as ''). */
  jinja?: JinjaOptions;
}

/** Host data with secret values revealed, so templates can write them (diffs are masked). */
function reveal(value: unknown): unknown {
  if (value instanceof SecretValue) return value.reveal();
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

/**
 * A template error as a message naming the template, the line and column,
 * and the tag there.
 */
function templateError(label: string, error: TemplateError): InputError {
  const at = error.at;
  if (!at) return new InputError(`files.template: ${label}: ${error.message}`);
  const file = at.file === undefined || at.file === label ? label : `${label} (in ${at.file})`;
  const tag = at.tag.length > 60 ? `${at.tag.slice(0, 60)}…` : at.tag;
  return new InputError(
    `files.template: ${file} line ${at.line}, column ${at.column}: ${error.message}${
      tag ? ` in ${tag}` : ""
    }`,
  );
}

/** How `renderTemplate` reads templates and names them in messages. */
export interface TemplateSource {
  /** Reads the template at an absolute path (and every `{% include %}`/`{% extends %}`). */
  readText: (path: string) => string;
  /** The template as the deploy named it, for messages (default: the path). */
  label?: string;
  /** Filters and tests besides the engine's (the deploy's own). */
  extra?: { filters?: Record<string, Filter>; tests?: Record<string, Test> };
}

/**
 * Renders the template at the absolute `path` with `context`. Undefined
 * variables are errors (as Ansible and pyinfra set Jinja2 up); nothing is
 * HTML-escaped; `{% include %}` and `{% extends %}` resolve next to the
 * template and are read with `source.readText` too (operations pass one
 * that applies the local-path policy, so an include cannot reach outside
 * what was granted).
 *
 * @example
 * ```ts
 * import { renderTemplate } from "./template.ts";
 * const text = renderTemplate("/srv/app.conf.j2", { port: 8080 }, {}, {
 *   readText: () => "{% if port %}\nlisten {{ port }};\n{% endif %}\n",
 * });
 * if (text !== "listen 8080;\n") throw new Error(text);
 * ```
 */
export function renderTemplate(
  path: string,
  context: Record<string, unknown>,
  options: TemplateOptions,
  source: TemplateSource,
): string {
  const label = source.label ?? path;
  const at = path.lastIndexOf("/");
  const dir = at <= 0 ? "" : path.slice(0, at);
  const load = (name: string) => {
    const full = name.startsWith("/") ? name : `${dir}/${name}`;
    try {
      return source.readText(full);
    } catch (error) {
      throw error instanceof InputError ? error : new InputError(
        `files.template: ${label}: cannot read ${name}: ${(error as Error).message}`,
      );
    }
  };
  let text: string;
  try {
    text = source.readText(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`files.template: cannot read ${label}: ${(error as Error).message}`);
  }
  try {
    return renderJinja(text, label, context, { ...options.jinja, load, ...source.extra });
  } catch (error) {
    // A refused or unreadable include is the reader's own error, unchanged.
    if (error instanceof TemplateError && error.cause instanceof InputError) throw error.cause;
    if (error instanceof TemplateError) throw templateError(label, error);
    throw error;
  }
}

/**
 * The variables a template sees: host data keys at the top level (as Ansible
 * templates expect), `host` (`name`, `data`, `groups`), the fleet `config`,
 * and `data` passed by the deploy, which wins. `ansible_managed` is
 * Ansible's default text ("Ansible managed") unless the data sets it.
 */
export function templateContext(
  host: { name: string; data: Readonly<Record<string, unknown>>; groups: readonly string[] },
  config: Readonly<Record<string, unknown>>,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const hostData = reveal(host.data) as Record<string, unknown>;
  return {
    ansible_managed: "Ansible managed",
    ...hostData,
    host: { name: host.name, data: hostData, groups: [...host.groups] },
    config: reveal(config),
    ...(reveal(data) as Record<string, unknown>),
  };
}

/** `files.template(src, dest, {data, mode, user, group, createRemoteDir, jinja, filters, tests})`. */
export async function template(
  ctx: OpContext,
  src: unknown,
  dest: unknown,
  options: FileAttributes & TemplateOptions & {
    createRemoteDir?: boolean;
    data?: unknown;
    filters?: unknown;
    tests?: unknown;
  },
): Promise<OperationResult> {
  const data = options.data;
  if (typeof src !== "string" || src === "") {
    throw new InputError(`files.template: src must be a local template path`);
  }
  if (typeof dest !== "string" || dest === "") {
    throw new InputError(`files.template: dest must be a remote path`);
  }
  if (
    data !== undefined && data !== null && (typeof data !== "object" || Array.isArray(data))
  ) {
    throw new InputError(`files.template: data must be an object of template variables`);
  }
  const jinja = options.jinja;
  if (jinja !== undefined) {
    const keys = ["trimBlocks", "lstripBlocks", "keepTrailingNewline", "ansible"];
    if (typeof jinja !== "object" || jinja === null || Array.isArray(jinja)) {
      throw new InputError(`files.template: jinja must be an object such as { trimBlocks: false }`);
    }
    for (const [key, value] of Object.entries(jinja)) {
      if (!keys.includes(key)) {
        throw new InputError(
          `files.template: unknown jinja setting "${key}" (known: ${keys.join(", ")})`,
        );
      }
      if (typeof value !== "boolean") {
        throw new InputError(`files.template: jinja.${key} must be true or false`);
      }
    }
  }
  const context = templateContext(
    ctx.session.host,
    ctx.config ?? {},
    (data ?? {}) as Record<string, unknown>,
  );
  const functions = deployFunctions(options);
  const path = ctx.resolveLocal(src, "read");
  const content = await renderWithDeployFunctions(
    functions,
    (extra) =>
      renderTemplate(path, context, options, {
        readText: (path) => Deno.readTextFileSync(ctx.resolveLocal(path, "read")),
        label: src,
        extra,
      }),
  );
  const { jinja: _jinja, filters: _filters, tests: _tests, ...attributes } = options;
  return await put(ctx, { content }, dest, attributes);
}
