/**
 * The definitions of the `files.*` operations.
 *
 * @module
 */

import { defineOp, type OpDefinition, type OptionSpec } from "../define_op.ts";
import { all, DIRECTORY, FILE as A_FILE, LINK, NOTHING, pathAt } from "../effects.ts";
import { BOOLEAN, either, object, opaque, record, STRING } from "../op_schema.ts";
import * as files from "../files.ts";
import { copy, move } from "../files_copy.ts";
import { replace } from "../replace.ts";
import { template } from "../template.ts";

/** Mode and owner, shared by the file operations (the deploy API's `FileAttributes`). */
export const FILE_ATTRIBUTES: Readonly<Record<string, OptionSpec>> = {
  mode: { schema: STRING, doc: 'Octal mode such as `"644"`.' },
  user: { schema: STRING, doc: "Owner user name." },
  group: { schema: STRING, doc: "Owner group name." },
};

const READS_FIRST = [{ at: 0, access: "read" as const }];
/** `files.put` and `files.template` act on the local source path, or the destination of `{ content }`. */
const sourceOrDest = (positional: readonly unknown[]) =>
  typeof positional[0] === "string" ? positional[0] : positional[1];
const DEST = { name: "dest", schema: STRING, doc: "The path on the host." };
const FILE = { name: "path", schema: STRING, doc: "The file on the host." };
const CREATE: OptionSpec = {
  schema: BOOLEAN,
  doc: "Create the file when it is missing.",
  default: false,
};
const PRESENT: OptionSpec = { schema: BOOLEAN, doc: "Present or removed.", default: true };
const CREATE_DIR: OptionSpec = {
  schema: BOOLEAN,
  doc: "Create the missing parent directories of `dest`.",
  default: false,
};

/** The file operations. */
export const FILES_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "files.put",
    description:
      "uploads when the content differs (sizes, then sha256); else fixes only mode/owner that differ",
    details: "`src` is a local path (relative to the deploy's directory) or `{ content }`.",
    params: [
      {
        name: "src",
        schema: either(STRING, object("{ content: string | Uint8Array }")),
        doc: "A local file, or `{ content }`.",
      },
      DEST,
    ],
    options: { ...FILE_ATTRIBUTES, createRemoteDir: CREATE_DIR },
    example: 'ops.files.put("motd.txt", "/etc/motd", { mode: "644" })',
    subject: sourceOrDest,
    localPaths: READS_FIRST,
    mayChange: pathAt(1),
    run: files.put,
  }),
  defineOp({
    name: "files.get",
    description:
      "downloads when the local copy differs (sizes, then sha256); streams to disk; `dest` must be granted with `--allow-write` or fleet `allow_write`",
    params: [
      { name: "src", schema: STRING, doc: "The path on the host." },
      { name: "dest", schema: STRING, doc: "The local path." },
    ],
    options: {},
    example: 'ops.files.get("/var/log/app.log", "logs/app.log")',
    localPaths: [{ at: 1, access: "write" }],
    mayChange: NOTHING,
    run: files.get,
  }),
  defineOp({
    name: "files.directory",
    description: "a directory with mode and owner (or none)",
    params: [{ name: "path", schema: STRING, doc: "The directory on the host." }],
    options: {
      ...FILE_ATTRIBUTES,
      present: PRESENT,
      recursive: {
        schema: BOOLEAN,
        doc: "Apply mode and owner to everything under it.",
        default: false,
      },
    },
    example: 'ops.files.directory("/srv/www", { mode: "755" })',
    mayChange: DIRECTORY,
    run: files.directory,
  }),
  defineOp({
    name: "files.file",
    description: "a regular file with mode and owner (or none); `touch` updates its time",
    params: [FILE],
    options: {
      ...FILE_ATTRIBUTES,
      present: PRESENT,
      touch: { schema: BOOLEAN, doc: "Update its modification time.", default: false },
    },
    example: 'ops.files.file("/var/log/app.log", { user: "app" })',
    mayChange: A_FILE,
    run: files.file,
  }),
  defineOp({
    name: "files.link",
    description: "a symbolic link `path` → `target`",
    params: [
      { name: "path", schema: STRING, doc: "The link on the host." },
      {
        name: "target",
        schema: STRING,
        doc: "What it points to (not needed with `present: false`).",
        optional: true,
      },
    ],
    options: { present: PRESENT },
    example: 'ops.files.link("/etc/nginx/sites-enabled/app", "/etc/nginx/sites-available/app")',
    mayChange: LINK,
    run: files.link,
  }),
  defineOp({
    name: "files.line",
    description:
      "`line` is literal text and must be a whole line; lines matching the regex `match` are replaced by it",
    params: [
      FILE,
      { name: "line", schema: STRING, doc: "The whole line." },
    ],
    options: {
      ...FILE_ATTRIBUTES,
      present: PRESENT,
      match: {
        schema: opaque("string | RegExp"),
        doc: "The lines it replaces (a regular expression).",
      },
      create: CREATE,
    },
    example: 'ops.files.line("/etc/app.conf", "port=8080", { match: /^port=/ })',
    mayChange: pathAt(0),
    run: files.line,
  }),
  defineOp({
    name: "files.block",
    description: "a block of lines between `# BEGIN …`/`# END …` markers (or none)",
    params: [
      FILE,
      { name: "content", schema: STRING, doc: "The lines between the markers." },
    ],
    options: {
      ...FILE_ATTRIBUTES,
      marker: {
        schema: STRING,
        doc: "The marker line, `{mark}` standing for BEGIN and END.",
        default: "# {mark} SKIFF MANAGED BLOCK",
      },
      present: PRESENT,
      create: CREATE,
    },
    example: 'ops.files.block("/etc/hosts", "10.0.0.2 db", { marker: "db" })',
    mayChange: pathAt(0),
    run: files.block,
  }),
  defineOp({
    name: "files.sync",
    description:
      "makes `dest` hold the files of the local directory `src`: rsync (`--itemize-changes`) when the connector can, else per-file sha256 comparison and uploads",
    params: [
      { name: "src", schema: STRING, doc: "The local directory." },
      { name: "dest", schema: STRING, doc: "The directory on the host." },
    ],
    options: {
      delete: { schema: BOOLEAN, doc: "Remove files `src` does not have.", default: false },
    },
    example: 'ops.files.sync("site/", "/srv/www", { delete: true })',
    localPaths: READS_FIRST,
    mayChange: pathAt(1, () => true),
    run: files.sync,
  }),
  defineOp({
    name: "files.template",
    description:
      "renders a local Jinja2 template (Ansible's settings by default) with `data`, the host and the fleet `config`, then writes it like `put`",
    details:
      "Template variables go in `data`, never beside `mode`. The host is `host.name`, `host.data`, `host.groups`, and host data keys as variables.",
    params: [
      { name: "src", schema: STRING, doc: "The local template." },
      DEST,
    ],
    options: {
      data: { schema: record(), doc: "The template variables." },
      ...FILE_ATTRIBUTES,
      createRemoteDir: CREATE_DIR,
      jinja: { schema: object("JinjaSettings"), doc: "Jinja2 settings (Ansible's by default)." },
      filters: {
        schema: opaque("Record<string, TemplateFunction>"),
        doc: "The deploy's own filters, run in its sandbox: pure, sync or async.",
      },
      tests: {
        schema: opaque("Record<string, TemplateFunction>"),
        doc: "The deploy's own tests (`{% if port is privileged %}`), like `filters`.",
      },
    },
    example:
      'ops.files.template("app.conf.j2", "/etc/app.conf", { data: { port: 8 }, mode: "600" })',
    unknownOption: (key) =>
      ` (template variables go in data: files.template(src, dest, { data: { ${key}: … } }))`,
    subject: sourceOrDest,
    localPaths: READS_FIRST,
    mayChange: pathAt(1),
    run: template,
  }),
  defineOp({
    name: "files.replace",
    description: "regular-expression replacement in a remote text file",
    params: [
      FILE,
      {
        name: "match",
        schema: opaque("string | RegExp"),
        doc: "What to replace (a regular expression).",
      },
      { name: "replacement", schema: STRING, doc: "What replaces each match (`$1` for groups)." },
    ],
    options: { ...FILE_ATTRIBUTES },
    example: 'ops.files.replace("/etc/app.conf", /^debug=.*$/m, "debug=false")',
    mayChange: pathAt(0),
    run: replace,
  }),
  defineOp({
    name: "files.copy",
    description:
      "copies the host's file `src` to `dest` on the host (temporary file, then renamed); skipped when the sha256 matches",
    details: "The copy gets `mode`, else the mode of the file it replaces, else the source's.",
    params: [
      { name: "src", schema: STRING, doc: "The file on the host." },
      DEST,
    ],
    options: { ...FILE_ATTRIBUTES },
    example: 'ops.files.copy("/etc/app.conf", "/etc/app.conf.bak")',
    subject: (positional) => positional[1],
    mayChange: pathAt(1),
    run: copy,
  }),
  defineOp({
    name: "files.move",
    description: "`mv` on the host; no change when `src` is gone and `dest` is there",
    params: [
      { name: "src", schema: STRING, doc: "The path on the host." },
      DEST,
    ],
    options: {},
    example: 'ops.files.move("/srv/app/new", "/srv/app/current")',
    subject: (positional) => positional[1],
    mayChange: all(pathAt(0, () => true), pathAt(1, () => true)),
    run: move,
  }),
];
