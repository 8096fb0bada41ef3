/**
 * The `files.*` operations of the deploy API.
 * Written by `deno task gen` from the operations' definitions
 * (lib/operations/defs/) and the facts' signatures: edit those, not this file.
 *
 * ```ts
 * import type { FilesOperations } from "./ops_files.ts";
 * const names: (keyof FilesOperations)[] = ["put"];
 * names.length; // 1
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";
import type { JinjaSettings, TemplateFunction } from "./options.ts";
import type { SecretValue } from "./values.ts";

/** Ownership and mode shared by file operations. */
export interface FileAttributes {
  /** Octal mode such as `"644"`. */
  mode?: string;
  /** Owner user name. */
  user?: string;
  /** Owner group name. */
  group?: string;
}

/** File operations. */
export interface FilesOperations {
  /**
   * Uploads when the content differs (sizes, then sha256); else fixes only mode/owner that differ.
   *
   * `src` is a local path (relative to the deploy's directory) or `{ content }`.
   * @param src A local file, or `{ content }`.
   * @param dest The path on the host.
   *
   * Example: `ops.files.put("motd.txt", "/etc/motd", { mode: "644" })`
   */
  put(
    src: string | { content: string | Uint8Array },
    dest: string,
    options?: FileAttributes & {
      /** Create the missing parent directories of `dest`. Default false. */
      createRemoteDir?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Downloads when the local copy differs (sizes, then sha256); streams to disk; `dest` must be granted with `--allow-write` or fleet `allow_write`.
   * @param src The path on the host.
   * @param dest The local path.
   *
   * Example: `ops.files.get("/var/log/app.log", "logs/app.log")`
   */
  get(
    src: string,
    dest: string,
    options?: OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * A directory with mode and owner (or none).
   * @param path The directory on the host.
   *
   * Example: `ops.files.directory("/srv/www", { mode: "755" })`
   */
  directory(
    path: string,
    options?: FileAttributes & {
      /** Present or removed. Default true. */
      present?: boolean;
      /** Apply mode and owner to everything under it. Default false. */
      recursive?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * A regular file with mode and owner (or none); `touch` updates its time.
   * @param path The file on the host.
   *
   * Example: `ops.files.file("/var/log/app.log", { user: "app" })`
   */
  file(
    path: string,
    options?: FileAttributes & {
      /** Present or removed. Default true. */
      present?: boolean;
      /** Update its modification time. Default false. */
      touch?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * A symbolic link `path` → `target`.
   * @param path The link on the host.
   * @param target What it points to (not needed with `present: false`).
   *
   * Example: `ops.files.link("/etc/nginx/sites-enabled/app", "/etc/nginx/sites-available/app")`
   */
  link(
    path: string,
    target?: string,
    options?: {
      /** Present or removed. Default true. */
      present?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `line` is literal text and must be a whole line; lines matching the regex `match` are replaced by it.
   * @param path The file on the host.
   * @param line The whole line.
   *
   * Example: `ops.files.line("/etc/app.conf", "port=8080", { match: /^port=/ })`
   */
  line(
    path: string,
    line: string,
    options?: FileAttributes & {
      /** Present or removed. Default true. */
      present?: boolean;
      /** The lines it replaces (a regular expression). */
      match?: string | RegExp;
      /** Create the file when it is missing. Default false. */
      create?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * A block of lines between `# BEGIN …`/`# END …` markers (or none).
   * @param path The file on the host.
   * @param content The lines between the markers.
   *
   * Example: `ops.files.block("/etc/hosts", "10.0.0.2 db", { marker: "db" })`
   */
  block(
    path: string,
    content: string,
    options?: FileAttributes & {
      /** The marker line, `{mark}` standing for BEGIN and END. Default "# {mark} SKIFF MANAGED BLOCK". */
      marker?: string;
      /** Present or removed. Default true. */
      present?: boolean;
      /** Create the file when it is missing. Default false. */
      create?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Makes `dest` hold the files of the local directory `src`: rsync (`--itemize-changes`) when the connector can, else per-file sha256 comparison and uploads.
   * @param src The local directory.
   * @param dest The directory on the host.
   *
   * Example: `ops.files.sync("site/", "/srv/www", { delete: true })`
   */
  sync(
    src: string,
    dest: string,
    options?: {
      /** Remove files `src` does not have. Default false. */
      delete?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Renders a local Jinja2 template (Ansible's settings by default) with `data`, the host and the fleet `config`, then writes it like `put`.
   *
   * Template variables go in `data`, never beside `mode`. The host is `host.name`, `host.data`, `host.groups`, and host data keys as variables.
   * @param src The local template.
   * @param dest The path on the host.
   *
   * Example: `ops.files.template("app.conf.j2", "/etc/app.conf", { data: { port: 8 }, mode: "600" })`
   */
  template(
    src: string,
    dest: string,
    options?: FileAttributes & {
      /** The template variables. */
      data?: Record<string, unknown>;
      /** Create the missing parent directories of `dest`. Default false. */
      createRemoteDir?: boolean;
      /** Jinja2 settings (Ansible's by default). */
      jinja?: JinjaSettings;
      /** The deploy's own filters, run in its sandbox: pure, sync or async. */
      filters?: Record<string, TemplateFunction>;
      /** The deploy's own tests (`{% if port is privileged %}`), like `filters`. */
      tests?: Record<string, TemplateFunction>;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Regular-expression replacement in a remote text file.
   * @param path The file on the host.
   * @param match What to replace (a regular expression).
   * @param replacement What replaces each match (`$1` for groups).
   *
   * Example: `ops.files.replace("/etc/app.conf", /^debug=.*$/m, "debug=false")`
   */
  replace(
    path: string,
    match: string | RegExp,
    replacement: string,
    options?: FileAttributes & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Copies the host's file `src` to `dest` on the host (temporary file, then renamed); skipped when the sha256 matches.
   *
   * The copy gets `mode`, else the mode of the file it replaces, else the source's.
   * @param src The file on the host.
   * @param dest The path on the host.
   *
   * Example: `ops.files.copy("/etc/app.conf", "/etc/app.conf.bak")`
   */
  copy(
    src: string,
    dest: string,
    options?: FileAttributes & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * `mv` on the host; no change when `src` is gone and `dest` is there.
   * @param src The path on the host.
   * @param dest The path on the host.
   *
   * Example: `ops.files.move("/srv/app/new", "/srv/app/current")`
   */
  move(
    src: string,
    dest: string,
    options?: OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * The host fetches (curl, else wget) into a temporary file, checks the sha256, renames; skipped when it matches.
   *
   * Without `sha256` an existing `dest` is kept. A URL with credentials: `ctx.secret(url)`, shown `***` and never in any process's arguments.
   * @param url What to fetch (a secret when it holds a token).
   * @param dest The file on the host.
   *
   * Example: `ops.files.download("https://example.org/tool.tar.gz", "/opt/tool.tar.gz", { sha256: sum })`
   */
  download(
    url: string | SecretValue,
    dest: string,
    options?: FileAttributes & {
      /** The expected sha256 (64 hexadecimal digits). */
      sha256?: string;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}
