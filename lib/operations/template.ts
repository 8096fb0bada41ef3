/**
 * `files.template`: renders a Jinja2-compatible template with nunjucks on
 * the controller, then writes it like `files.put` (skipped when the sha256
 * matches, with a diff for `--diff`).
 *
 * @module
 */

// @ts-types="@types/nunjucks"
import nunjucks from "nunjucks";
import { SecretValue } from "../core/command.ts";
import type { FileAttributes, OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import type { OpContext } from "./context.ts";
import { put } from "./files.ts";

/** Template syntax switches (Jinja2's names). */
export interface TemplateOptions {
  /** Drop the first newline after a block tag. */
  trimBlocks?: boolean;
  /** Strip whitespace before a block tag on its line. */
  lstripBlocks?: boolean;
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
 * Turns a nunjucks error into a message naming the template, the line and
 * column, and the expression at that spot.
 */
function templateError(label: string, source: string | null, error: unknown): InputError {
  const text = error instanceof Error ? error.message : String(error);
  const match = /\[Line (\d+)(?:, Column (\d+))?\]\s*([\s\S]*)$/.exec(text);
  if (!match) return new InputError(`files.template: ${label}: ${text.trim()}`);
  const line = Number(match[1]);
  const column = match[2] === undefined ? undefined : Number(match[2]);
  let near = "";
  const sourceLine = source?.split("\n")[line - 1];
  if (sourceLine !== undefined && column !== undefined) {
    const rest = sourceLine.slice(Math.max(0, column - 1));
    const end = rest.indexOf("}}");
    const snippet = (end === -1 ? rest : rest.slice(0, end + 2)).trim();
    if (snippet) near = ` in ${snippet.length > 60 ? `${snippet.slice(0, 60)}…` : snippet}`;
  }
  const detail = match[3].trim().replace(/^Error: /, "").replace(
    "attempted to output null or undefined value",
    "undefined variable",
  );
  return new InputError(
    `files.template: ${label} line ${line}${
      column === undefined ? "" : `, column ${column}`
    }: ${detail}${near}`,
  );
}

/** How `renderTemplate` reads templates and names them in messages. */
export interface TemplateSource {
  /** Reads the template at an absolute path (and every `{% include %}`/`{% extends %}`). */
  readText: (path: string) => string;
  /** The template as the deploy named it, for messages (default: the path). */
  label?: string;
}

/**
 * Renders the template at the absolute `path` with `context`. Undefined
 * variables are errors; nothing is HTML-escaped; `{% include %}` and
 * `{% extends %}` resolve next to the template and are read with
 * `source.readText` too (operations pass one that applies the local-path
 * policy, so an include cannot reach outside what was granted).
 *
 * @example
 * ```ts ignore
 * import { renderTemplate } from "./template.ts";
 * renderTemplate("/srv/deploy/templates/app.conf.j2", { port: 8080 }, {}, {
 *   readText: (path) => Deno.readTextFileSync(path),
 * });
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
  let failure: InputError | undefined;
  const loader: nunjucks.ILoader = {
    getSource: (name: string) => {
      const full = name.startsWith("/") ? name : `${dir}/${name}`;
      try {
        return { src: source.readText(full), path: full, noCache: true };
      } catch (error) {
        failure = error instanceof InputError ? error : new InputError(
          `files.template: ${label}: cannot read ${name}: ${(error as Error).message}`,
        );
        throw failure;
      }
    },
  };
  const env = new nunjucks.Environment(loader, {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: options.trimBlocks ?? false,
    lstripBlocks: options.lstripBlocks ?? false,
  });
  let text: string | null = null;
  try {
    text = source.readText(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`files.template: cannot read ${label}: ${(error as Error).message}`);
  }
  try {
    return new nunjucks.Template(text, env, path).render(context);
  } catch (error) {
    throw failure ?? templateError(label, text, error);
  }
}

/**
 * The variables a template sees: host data keys at the top level (as Ansible
 * templates expect), `host` (`name`, `data`, `groups`), the fleet `config`,
 * and `data` passed by the deploy, which wins.
 */
export function templateContext(
  host: { name: string; data: Readonly<Record<string, unknown>>; groups: readonly string[] },
  config: Readonly<Record<string, unknown>>,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const hostData = reveal(host.data) as Record<string, unknown>;
  return {
    ...hostData,
    host: { name: host.name, data: hostData, groups: [...host.groups] },
    config: reveal(config),
    ...(reveal(data) as Record<string, unknown>),
  };
}

/** `files.template(src, dest, data, {mode, user, group, createRemoteDir, trimBlocks, lstripBlocks})`. */
export async function template(
  ctx: OpContext,
  src: unknown,
  dest: unknown,
  data: unknown,
  options: FileAttributes & TemplateOptions & { createRemoteDir?: boolean },
): Promise<OperationResult> {
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
  const context = templateContext(
    ctx.session.host,
    ctx.config ?? {},
    (data ?? {}) as Record<string, unknown>,
  );
  const content = renderTemplate(ctx.resolveLocal(src, "read"), context, options, {
    readText: (path) => Deno.readTextFileSync(ctx.resolveLocal(path, "read")),
    label: src,
  });
  const { trimBlocks: _t, lstripBlocks: _l, ...attributes } = options;
  return await put(ctx, { content }, dest, attributes);
}
