/**
 * The deploy API's `Operations` and `Facts` types and the README's operation
 * table, written from the definitions (`defs/`, the facts' `signature`). `deno
 * task gen` writes them (formatted by `deno fmt`); a test fails when the
 * committed copies differ.
 *
 * @module
 */

import type { FactDefinition } from "../facts/fact.ts";
import { FACTS } from "../facts/registry.ts";
import { type OpDefinition, type OptionSpec, signatureOf } from "./define_op.ts";
import { FAMILIES, OPERATION_DEFINITIONS, OPERATION_GROUPS } from "./defs/mod.ts";
import { FILE_ATTRIBUTES } from "./defs/files.ts";

/** The value types of `lib/api/facts.ts` that fact signatures may name. */
const FACT_TYPES = [
  "AddressFact",
  "ContainerFact",
  "CronEntryFact",
  "FileStat",
  "MemoryFact",
  "MountFact",
  "PostgresDatabaseFact",
  "PostgresRoleFact",
  "ServiceFact",
  "UserFact",
];

const IMPORTS = `import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";
`;

function header(what: string, example: string, imports: string): string {
  return `/**
 * ${what}
 * Written by \`deno task gen\` from the operations' definitions
 * (lib/operations/defs/) and the facts' signatures: edit those, not this file.
 *
 * \`\`\`ts
${example.split("\n").map((line) => ` * ${line}`).join("\n")}
 * \`\`\`
 *
 * @module
 */

${imports}`;
}

function docComment(lines: readonly string[], indent: string): string {
  const body = lines.flatMap((line) => line.split("\n"));
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${
    body.map((l) => `${indent} *${l ? ` ${l}` : ""}`).join("\n")
  }\n${indent} */\n`;
}

/** A default as shown in docs and `skiff ops`. */
export function shownDefault(option: OptionSpec): string | undefined {
  return option.default === undefined ? undefined : JSON.stringify(option.default);
}

function optionMembers(options: Readonly<Record<string, OptionSpec>>, indent: string): string {
  return Object.entries(options).map(([key, option]) => {
    const shown = shownDefault(option);
    const doc = shown === undefined ? option.doc : `${option.doc} Default ${shown}.`;
    return `${docComment([doc], indent)}${indent}${key}${
      option.required ? "" : "?"
    }: ${option.schema.ts};\n`;
  }).join("");
}

function optionsInterface(
  name: string,
  doc: string,
  options: Readonly<Record<string, OptionSpec>>,
) {
  return `${docComment([doc], "")}export interface ${name} {\n${optionMembers(options, "  ")}}\n`;
}

function method(op: OpDefinition): string {
  const short = op.name.slice(op.name.indexOf(".") + 1);
  const hasOptions = Object.keys(op.optionSpecs).length > 0;
  const required = Object.values(op.optionSpecs).some((option) => option.required);
  const attributes = Object.entries(FILE_ATTRIBUTES).every(([key, spec]) =>
    op.optionSpecs[key] === spec
  );
  const rest = Object.fromEntries(
    Object.entries(op.optionSpecs).filter(([key]) => !attributes || !(key in FILE_ATTRIBUTES)),
  );
  const parts = [
    ...(attributes ? ["FileAttributes"] : []),
    ...(Object.keys(rest).length > 0 ? [`{\n${optionMembers(rest, "      ")}    }`] : []),
    "OpControl",
  ];
  const type = !hasOptions
    ? "OpControl"
    : op.optionsType
    ? `${op.optionsType} & OpControl`
    : parts.join(" & ");
  const params = [
    ...op.params.map((param) => `${param.name}${param.optional ? "?" : ""}: ${param.schema.ts}`),
    `options${required ? "" : "?"}: ${type}`,
    "control?: OpControl",
  ];
  const doc = [
    `${op.description[0].toUpperCase()}${op.description.slice(1)}.`,
    ...(op.details ? ["", op.details] : []),
    ...op.params.map((param) => `@param ${param.name} ${param.doc}`),
    "",
    `Example: \`${op.example}\``,
  ];
  return `${docComment(doc, "    ")}    ${short}(\n${
    params.map((p) => `      ${p},\n`).join("")
  }    ): Promise<OperationResult>;\n`;
}

function familyOf(name: string): string {
  return name.slice(0, name.indexOf("."));
}

function grouped<T extends { name: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const family = familyOf(item.name);
    groups.set(family, [...(groups.get(family) ?? []), item]);
  }
  return groups;
}

function factMethod(fact: FactDefinition): string {
  const signature = fact.signature;
  const short = fact.name.slice(fact.name.indexOf(".") + 1);
  return `${
    docComment(
      [`${signature.description[0].toUpperCase()}${signature.description.slice(1)}.`],
      "    ",
    )
  }    ${short}(${signature.params}): Promise<${signature.returns}>;\n`;
}

function capital(name: string): string {
  return `${name[0].toUpperCase()}${name.slice(1)}`;
}

/** The deploy API's name of a family's operations: `FilesOperations`. */
function familyType(family: string): string {
  return `${capital(family)}Operations`;
}

/** One `lib/api/ops_GROUP.ts`: the families of a group of operations. */
function groupText(group: string, ops: readonly OpDefinition[]): string {
  const families = [...grouped(ops)];
  const text = families.map(([family, list]) =>
    `${docComment([FAMILIES[family] ?? family], "")}export interface ${familyType(family)} {\n${
      list.map(method).join("").replaceAll("\n  ", "\n").replace(/^ {2}/, "")
    }}\n`
  ).join("\n");
  const named = new Map<string, OpDefinition>();
  for (const op of ops) {
    if (op.optionsType && !named.has(op.optionsType)) named.set(op.optionsType, op);
  }
  const interfaces = [
    ...(/\bFileAttributes\b/.test(text)
      ? [
        optionsInterface(
          "FileAttributes",
          "Ownership and mode shared by file operations.",
          FILE_ATTRIBUTES,
        ),
      ]
      : []),
    ...[...named].map(([name, op]) =>
      optionsInterface(name, `Options of \`${op.name}\`.`, op.optionSpecs)
    ),
  ];
  const fromOptions = ["JinjaSettings", "ShellCommand", "TemplateFunction"]
    .filter((name) => new RegExp(`\\b${name}\\b`).test(text));
  const first = families[0][0];
  const imports = IMPORTS +
    (fromOptions.length ? `import type { ${fromOptions.join(", ")} } from "./options.ts";\n` : "") +
    (/\bSecretValue\b/.test(text) || /\bSecretValue\b/.test(interfaces.join(""))
      ? `import type { SecretValue } from "./values.ts";\n`
      : "");
  const example = `import type { ${familyType(first)} } from "./ops_${group}.ts";
const names: (keyof ${familyType(first)})[] = ["${list0(ops)}"];
names.length; // 1`;
  return `${
    header(
      `The ${families.map(([f]) => `\`${f}.*\``).join(", ")} operations of the deploy API.`,
      example,
      imports,
    )
  }\n${[...interfaces, text].join("\n")}`;
}

function list0(ops: readonly OpDefinition[]): string {
  return ops[0].name.slice(ops[0].name.indexOf(".") + 1);
}

/** The text of `lib/api/operations.ts`: `Operations` and `Facts`. */
function mainText(): string {
  const families = [...grouped(OPERATION_DEFINITIONS)].map(([family]) =>
    `${docComment([FAMILIES[family] ?? family], "  ")}  ${family}: ${familyType(family)};\n`
  );
  const facts = [...grouped(Object.values(FACTS))].map(([family, list]) =>
    `  ${family}: {\n${list.map(factMethod).join("")}  };\n`
  );
  const imports =
    Object.entries(OPERATION_GROUPS).map(([group, ops]) =>
      `import type { ${
        [...grouped(ops).keys()].map(familyType).join(", ")
      } } from "./ops_${group}.ts";\n`
    ).join("") +
    `import type { ${
      FACT_TYPES.filter((name) => facts.some((text) => new RegExp(`\\b${name}\\b`).test(text)))
        .join(", ")
    } } from "./facts.ts";\n`;
  const example = `import type { Operations } from "./operations.ts";
async function webRoot(ops: Operations): Promise<boolean> {
  return (await ops.files.directory("/srv/www", { mode: "755" })).changed;
}
typeof webRoot; // "function"`;
  return [
    header(
      "The operations and facts a deploy calls through `ctx.ops` and `ctx.facts`.",
      example,
      imports.replace(IMPORTS, ""),
    ),
    `${
      docComment([
        "The operations a deploy calls: subject first, then one options object in which control arguments (`_sudo`, …) may sit.",
      ], "")
    }export interface Operations {\n${families.join("")}}\n`,
    `${docComment(["Facts about a host, cached for the run."], "")}export interface Facts {\n${
      facts.join("")
    }}\n`,
  ].join("\n");
}

/**
 * The files of the deploy API written from the definitions, by file name
 * under `lib/api`, before formatting.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { apiFilesText } from "./api_text.ts";
 * strictEqual(apiFilesText()["operations.ts"].includes("export interface Operations {"), true);
 * ```
 */
export function apiFilesText(): Record<string, string> {
  return {
    "operations.ts": mainText(),
    ...Object.fromEntries(
      Object.entries(OPERATION_GROUPS).map((
        [group, ops],
      ) => [`ops_${group}.ts`, groupText(group, ops)]),
    ),
  };
}

/**
 * The README's operation table (between its markers) before formatting.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { readmeTableText } from "./api_text.ts";
 * strictEqual(readmeTableText().split("\n")[0], "| operation | what it does |");
 * ```
 */
export function readmeTableText(): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  return [
    "| operation | what it does |",
    "| --- | --- |",
    ...OPERATION_DEFINITIONS.map((op) =>
      `| \`${escape(signatureOf(op))}\` | ${escape(op.description)} |`
    ),
  ].join("\n") + "\n";
}

/**
 * The README's fact table (between its markers) before formatting.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { readmeFactsText } from "./api_text.ts";
 * strictEqual(readmeFactsText().split("\n")[0], "| fact | value |");
 * ```
 */
export function readmeFactsText(): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  return [
    "| fact | value |",
    "| --- | --- |",
    ...Object.values(FACTS).map((fact) =>
      `| \`${escape(`${fact.name}(${fact.signature.params})`)}\` | ${
        escape(fact.signature.description)
      }: \`${escape(fact.signature.returns)}\` |`
    ),
  ].join("\n") + "\n";
}
