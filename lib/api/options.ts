/**
 * Values some operations take besides plain data: shell commands, template
 * functions, Jinja2 settings. The options of each operation are in
 * `operations.ts`, written from the operations' definitions.
 *
 * ```ts
 * import type { JinjaSettings } from "./options.ts";
 * const plain: JinjaSettings = { ansible: false, trimBlocks: false };
 * plain.ansible; // false
 * ```
 *
 * @module
 */

import type { Command } from "./values.ts";

/** A command for `server.shell`: text, or a `sh` tagged-template Command. */
export type ShellCommand = string | Command;

/**
 * A deploy's own template filter or test for `files.template`, run in the
 * deploy's sandbox: `(value, ...args, kwargs?) => result`, pure (each
 * distinct call is made once per render), sync or async.
 */
// deno-lint-ignore no-explicit-any
export type TemplateFunction = (value: any, ...args: any[]) => unknown;

/**
 * Jinja2 settings for `files.template`. Ansible's are the default:
 * `trimBlocks` on, None printed as '', the output ending in as many
 * newlines as the template. A `#jinja2: trim_blocks: False` first line sets
 * them per template too (and is removed).
 */
export interface JinjaSettings {
  /** Drop the first newline after a block or comment tag (default true, as Ansible; Jinja2 and pyinfra: false). */
  trimBlocks?: boolean;
  /** Strip spaces and tabs before a block tag that starts a line (default false). */
  lstripBlocks?: boolean;
  /** Keep the template's final newline as is (default: false with `ansible`, true without). */
  keepTrailingNewline?: boolean;
  /**
   * Ansible's `template` module (default true): None prints as '' and the
   * output ends in at least as many newlines as the template. False is plain
   * Jinja2 as pyinfra sets it up: None prints 'None'.
   */
  ansible?: boolean;
}
