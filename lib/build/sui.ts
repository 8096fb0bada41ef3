/**
 * Reads what `deno compile` embedded in an ELF executable: the `.note.sui`
 * section holds the standalone metadata (entry point, baked permissions)
 * followed by the embedded files.
 *
 * @module
 */

/** The embedded metadata and the raw section bytes. */
export interface SuiPayload {
  /** The JSON metadata Deno wrote (entrypoint_key, permissions, unstable_config, …). */
  metadata: Record<string, unknown>;
  /** The whole section, for checking which files are embedded. */
  section: Uint8Array;
}

function sectionByName(elf: Uint8Array, wanted: string): Uint8Array {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (view.getUint32(0) !== 0x7f454c46) throw new Error("Not an ELF file");
  if (elf[4] !== 2) throw new Error("Only 64-bit ELF files are supported");
  const little = elf[5] === 1;
  const shoff = Number(view.getBigUint64(0x28, little));
  const shentsize = view.getUint16(0x3a, little);
  const shnum = view.getUint16(0x3c, little);
  const shstrndx = view.getUint16(0x3e, little);
  const header = (index: number) => {
    const base = shoff + index * shentsize;
    return {
      name: view.getUint32(base, little),
      offset: Number(view.getBigUint64(base + 0x18, little)),
      size: Number(view.getBigUint64(base + 0x20, little)),
    };
  };
  const strings = header(shstrndx);
  const decoder = new TextDecoder();
  for (let index = 0; index < shnum; index++) {
    const section = header(index);
    const start = strings.offset + section.name;
    let end = start;
    while (elf[end] !== 0) end++;
    if (decoder.decode(elf.subarray(start, end)) === wanted) {
      return elf.subarray(section.offset, section.offset + section.size);
    }
  }
  throw new Error(`No ${wanted} section: the file was not made by deno compile`);
}

/**
 * Reads the `.note.sui` payload of a compiled skiff.
 *
 * @example
 * ```ts ignore
 * const { metadata } = readSui(await Deno.readFile("dist/skiff"));
 * metadata.entrypoint_key; // "main.ts"
 * ```
 */
export function readSui(elf: Uint8Array): SuiPayload {
  const section = sectionByName(elf, ".note.sui");
  const marker = new TextEncoder().encode('{"argv"');
  let start = -1;
  outer: for (let i = 8; i < section.length - marker.length; i++) {
    for (let j = 0; j < marker.length; j++) if (section[i + j] !== marker[j]) continue outer;
    start = i;
    break;
  }
  if (start === -1) throw new Error("No metadata in the .note.sui section");
  const length = Number(
    new DataView(section.buffer, section.byteOffset + start - 8, 8).getBigUint64(0, true),
  );
  const metadata = JSON.parse(new TextDecoder().decode(section.subarray(start, start + length)));
  return { metadata, section };
}

interface VfsEntry {
  Dir?: { n: string; e: VfsEntry[] };
  File?: { n: string };
  Symlink?: { n: string };
}

function walk(entries: VfsEntry[], prefix: string, out: string[]): void {
  for (const entry of entries) {
    if (entry.Dir) walk(entry.Dir.e, `${prefix}${entry.Dir.n}/`, out);
    else if (entry.File) out.push(`${prefix}${entry.File.n}`);
    else if (entry.Symlink) out.push(`${prefix}${entry.Symlink.n}`);
  }
}

/**
 * The paths of the files embedded in the executable's virtual file system,
 * relative to its root (for example `work/main/connectors/ssh.ts`).
 */
export function embeddedFiles(section: Uint8Array): string[] {
  const marker = new TextEncoder().encode('[{"Dir":{"n":');
  for (let i = 8; i < section.length - marker.length; i++) {
    let match = true;
    for (let j = 0; j < marker.length && match; j++) match = section[i + j] === marker[j];
    if (!match) continue;
    const length = Number(
      new DataView(section.buffer, section.byteOffset + i - 8, 8).getBigUint64(0, true),
    );
    const entries = JSON.parse(
      new TextDecoder().decode(section.subarray(i, i + length)),
    ) as VfsEntry[];
    const out: string[] = [];
    walk(entries, "", out);
    return out;
  }
  throw new Error("No embedded file system in the .note.sui section");
}

/** True when `text` occurs in the bytes (for embedded file names). */
export function containsText(bytes: Uint8Array, text: string): boolean {
  const needle = new TextEncoder().encode(text);
  outer: for (let i = 0; i <= bytes.length - needle.length; i++) {
    if (bytes[i] !== needle[0]) continue;
    for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
