/**
 * The layers of shared/DESIGN.md, checked from the code: every import in
 * `lib/`, `connectors/` and `main.ts` runs down a layer (or stays in its
 * own), no file imports itself back through others, and no source file
 * passes 400 lines.
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** What every layer above the connectors may use. */
const BASE = ["lib/api", "lib/core"];
/** Everything below the run layer. */
const BELOW_RUN = [
  ...BASE,
  "lib/process.ts",
  "connectors",
  "lib/facts",
  "lib/sandbox",
  "lib/inventory",
  "lib/operations",
];

/** Layers in order; each may import the layers named beside it and itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  "lib/api": [],
  "lib/core": ["lib/api"],
  "lib/process.ts": BASE,
  "connectors": ["lib/core", "lib/process.ts"],
  "lib/facts": BASE,
  "lib/sandbox": BASE,
  "lib/inventory": [...BASE, "lib/process.ts", "connectors", "lib/sandbox"],
  "lib/operations": [...BASE, "connectors", "lib/facts", "lib/inventory"],
  "lib/run": BELOW_RUN,
  "lib/build": ["lib/core"],
  "lib/report": [...BASE, "lib/run"],
  "lib/cli": [...BELOW_RUN, "lib/run", "lib/build", "lib/report"],
  "main.ts": ["lib/cli", "lib/report"],
};

/** The layer a repository path belongs to, or undefined outside the layered code. */
function layerOf(path: string): string | undefined {
  return Object.keys(MAY_IMPORT).find((layer) => path === layer || path.startsWith(`${layer}/`));
}

/** Local imports of one source file (static, dynamic, re-exports, workers), comments left out. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/gm,
    /^\s*import\s+"(\.{1,2}\/[^"]+)"/gm,
    /\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g,
    /new URL\(\s*"(\.{1,2}\/[^"]+\.ts)",\s*import\.meta\.url\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

/** Joins a relative import onto the importing file's folder, as a repository path. */
function resolve(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/** Import edges between repository paths. */
type Graph = Map<string, string[]>;

/** Every upward import, as "file imports target (layer A may not import layer B)". */
export function upwardImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    if (from === undefined) continue;
    for (const target of targets) {
      const to = layerOf(target);
      if (to === undefined || to === from) continue;
      if (!MAY_IMPORT[from].includes(to)) {
        out.push(`${file} imports ${target} (${from} may not import ${to})`);
      }
    }
  }
  return out;
}

/** Every import cycle, each as "a -> b -> a", found by depth-first search. */
export function cycles(graph: Graph): string[] {
  const out: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (state.get(target) === "open") {
        out.push([...stack.slice(stack.indexOf(target)), target].join(" -> "));
      } else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return out;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

async function projectGraph(): Promise<{ graph: Graph; lines: Map<string, number> }> {
  const files = [...await sourceFiles("lib"), ...await sourceFiles("connectors"), "main.ts"];
  const graph: Graph = new Map();
  const lines = new Map<string, number>();
  for (const file of files) {
    const source = await Deno.readTextFile(`${ROOT}${file}`);
    lines.set(file, source.split("\n").length - (source.endsWith("\n") ? 1 : 0));
    graph.set(file, importsOf(source).map((specifier) => resolve(file, specifier)));
  }
  return { graph, lines };
}

Deno.test("architecture: every import runs down a layer", async () => {
  const { graph } = await projectGraph();
  deepStrictEqual(upwardImports(graph), []);
});

Deno.test("architecture: no import cycles", async () => {
  const { graph } = await projectGraph();
  deepStrictEqual(cycles(graph), []);
});

Deno.test("architecture: no source file in lib/ or connectors/ passes 400 lines", async () => {
  const { lines } = await projectGraph();
  const long = [...lines].filter(([, count]) => count > 400).map(([file, n]) => `${file}: ${n}`);
  deepStrictEqual(long, []);
});

Deno.test("architecture: the checks catch what they are for", async (t) => {
  await t.step("an upward import is named with its file and layers", () => {
    const graph: Graph = new Map([
      ["lib/core/command.ts", ["lib/run/session.ts"]],
      ["lib/run/session.ts", ["lib/core/command.ts"]],
    ]);
    deepStrictEqual(upwardImports(graph), [
      "lib/core/command.ts imports lib/run/session.ts (lib/core may not import lib/run)",
    ]);
  });
  await t.step("a cycle is named file by file", () => {
    const graph: Graph = new Map([
      ["lib/run/a.ts", ["lib/run/b.ts"]],
      ["lib/run/b.ts", ["lib/run/c.ts"]],
      ["lib/run/c.ts", ["lib/run/a.ts"]],
    ]);
    deepStrictEqual(cycles(graph), [
      "lib/run/a.ts -> lib/run/b.ts -> lib/run/c.ts -> lib/run/a.ts",
    ]);
  });
  await t.step("imports are read from code, not from comments or examples", () => {
    const source = [
      "/**",
      ' * import { x } from "../run/runner.ts";',
      " */",
      'import { a } from "./a.ts";',
      "import type {",
      "  B,",
      '} from "../core/b.ts";',
      'export { c } from "./c.ts";',
      '// import { d } from "./d.ts";',
      'const w = new Worker(new URL("./worker.ts", import.meta.url));',
      'const m = await import("./lazy.ts");',
      'import "./side_effect.ts";',
    ].join("\n");
    deepStrictEqual(importsOf(source), [
      "./a.ts",
      "../core/b.ts",
      "./c.ts",
      "./side_effect.ts",
      "./lazy.ts",
      "./worker.ts",
    ]);
  });
  await t.step("paths resolve from the importing file", () => {
    strictEqual(resolve("lib/run/runner.ts", "../../connectors/base.ts"), "connectors/base.ts");
    strictEqual(resolve("lib/run/runner.ts", "./session.ts"), "lib/run/session.ts");
  });
});
