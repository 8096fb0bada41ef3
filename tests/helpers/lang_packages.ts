/**
 * Tiny local packages for the pip and npm tests (PyPI is out of reach; the
 * npm registry is slow and changes): a pure-Python wheel written by hand,
 * and an `npm pack` tarball of a one-file package.
 *
 * @module
 */

import { run } from "./targets.ts";

const WHEEL = `
import base64, hashlib, sys, zipfile
name, version, dest = sys.argv[1:4]
info = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": f"VERSION = '{version}'\\n",
    f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: skiff-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
for path, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record.append(f"{path},sha256={digest},{len(text.encode())}")
files[f"{info}/RECORD"] = "\\n".join(record + [f"{info}/RECORD,,"]) + "\\n"
with zipfile.ZipFile(f"{dest}/{name}-{version}-py3-none-any.whl", "w") as wheel:
    for path, text in files.items():
        wheel.writestr(path, text)
`;

/** Writes `dir/NAME-VERSION-py3-none-any.whl`, a wheel of one module that holds its version. */
export async function buildWheel(dir: string, name: string, version: string): Promise<string> {
  await run(["python3", "-c", WHEEL, name, version, dir]);
  return `${dir}/${name}-${version}-py3-none-any.whl`;
}

/** Packs a one-file npm package NAME@VERSION into `dir` and returns the tarball's path. */
export async function packNpm(dir: string, name: string, version: string): Promise<string> {
  const src = `${dir}/${name}-${version}-src`;
  await Deno.mkdir(src, { recursive: true });
  await Deno.writeTextFile(
    `${src}/package.json`,
    JSON.stringify({ name, version, main: "index.js" }),
  );
  await Deno.writeTextFile(`${src}/index.js`, `module.exports = ${JSON.stringify(version)};\n`);
  const file = (await run(["npm", "pack", "--silent", "--pack-destination", dir], { cwd: src }))
    .trim();
  return `${dir}/${file}`;
}
