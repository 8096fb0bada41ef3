/**
 * The local files a plan was made from and their sha256 digests: deploy
 * modules and the local modules they import, fleet files, connector modules,
 * and every source file, template and directory an operation read. An apply
 * refuses to run when one of them changed.
 *
 * @module
 */

import { sha256Hex } from "../../operations/context.ts";
import type { PlannedFile, PlannedFileRole } from "./plan_document.ts";

const encoder = new TextEncoder();

/** Names of the roles in messages. */
const ROLE_NAMES: Readonly<Record<PlannedFileRole, string>> = {
  deploy: "deploy",
  module: "module",
  fleet: "fleet file",
  connector: "connector module",
  source: "local source",
};

/** sha256 of a directory: its entries in order, each with its type and content digest. */
async function directoryDigest(root: string): Promise<string> {
  const lines: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    const entries = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      const rel = `${prefix}${entry.name}`;
      if (entry.isSymlink) lines.push(`${rel}\0link\0${await Deno.readLink(path)}`);
      else if (entry.isDirectory) {
        lines.push(`${rel}\0dir`);
        await walk(path, `${rel}/`);
      } else lines.push(`${rel}\0file\0${await sha256Hex(await Deno.readFile(path))}`);
    }
  };
  await walk(root, "");
  return await sha256Hex(encoder.encode(lines.join("\n")));
}

/**
 * sha256 of a file, or of a directory's listing and files; null when
 * nothing is at `path`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { pathDigest } from "./file_digests.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a`, "abc");
 * strictEqual(await pathDigest(`${dir}/a`), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * strictEqual(await pathDigest(`${dir}/missing`), null);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function pathDigest(path: string): Promise<string | null> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  if (info.isDirectory) return await directoryDigest(path);
  return await sha256Hex(await Deno.readFile(path));
}

/** Local import specifiers of a module's code (comments left out). */
function localImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const patterns = [
    /^\s*(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+["']([^"']+)["']/gm,
    /^\s*import\s+["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  const found: string[] = [];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      if (/^(\.{1,2}\/|\/|file:)/.test(match[1])) found.push(match[1]);
    }
  }
  return found;
}

/**
 * A deploy module and the local modules it imports (relative, absolute and
 * `file:` specifiers, followed), the deploy first. Type-only imports are left
 * out (they do not run), and so are modules from a registry or a URL: their
 * versions are the lock file's business.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { moduleGraph } from "./file_digests.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * await Deno.writeTextFile(`${dir}/web.ts`, 'import type { T } from "./t.ts";\nimport { x } from "./lib/x.ts";\nimport "jsr:@std/fmt";\n');
 * await Deno.mkdir(`${dir}/lib`);
 * await Deno.writeTextFile(`${dir}/lib/x.ts`, 'export { y } from "../y.ts";\nexport const x = 1;\n');
 * await Deno.writeTextFile(`${dir}/y.ts`, "export const y = 2;\n");
 * deepStrictEqual(await moduleGraph(`${dir}/web.ts`), [`${dir}/web.ts`, `${dir}/lib/x.ts`, `${dir}/y.ts`]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function moduleGraph(path: string): Promise<string[]> {
  const seen: string[] = [];
  const visit = async (url: URL) => {
    const file = decodeURIComponent(url.pathname);
    if (seen.includes(file)) return;
    seen.push(file);
    let source: string;
    try {
      source = await Deno.readTextFile(file);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const specifier of localImports(source)) await visit(new URL(specifier, url));
  };
  await visit(new URL(`file://${path}`));
  return seen;
}

/** Each file's digest, in the order given (a path given twice is kept once, with its first role). */
export async function digestFiles(
  files: readonly { path: string; role: PlannedFileRole }[],
): Promise<PlannedFile[]> {
  const out: PlannedFile[] = [];
  for (const { path, role } of files) {
    if (out.some((file) => file.path === path)) continue;
    out.push({ path, role, sha256: await pathDigest(path) });
  }
  return out;
}

/**
 * Why the first file that changed since its digest was taken did, as
 * `deploy /srv/web.ts changed since the plan was made`, or undefined when
 * none did.
 */
export async function changedFile(files: readonly PlannedFile[]): Promise<string | undefined> {
  for (const file of files) {
    const now = await pathDigest(file.path);
    if (now === file.sha256) continue;
    const what = `${ROLE_NAMES[file.role]} ${file.path}`;
    if (now === null) return `${what} no longer exists`;
    if (file.sha256 === null) return `${what} exists now, and did not when the plan was made`;
    return `${what} changed since the plan was made`;
  }
  return undefined;
}
