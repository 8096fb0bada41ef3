/**
 * The conformance checks that move files and watch local processes:
 * `putFile`/`getFile` round trips, an interrupted put, and secrets kept out
 * of every local argv. Used by `conformance.ts`.
 *
 * @module
 */

import { secret, sh } from "../core/command.ts";
import type { BaseConnector, ConnectorContext } from "../../connectors/base.ts";

/** What a check may use: the connected connector and a scratch directory on the target. */
export interface CheckContext {
  /** The connector under test, connected. */
  readonly connector: BaseConnector;
  /** A fresh directory on the target, removed afterwards. */
  readonly dir: string;
  /** The process runner for local work (watching `ps`). */
  readonly local: ConnectorContext;
}

/** One check: returns a detail on success, throws an Error saying what went wrong. */
export interface Check {
  /** What it checks. */
  readonly name: string;
  /** Runs it. */
  run(ctx: CheckContext): Promise<string>;
}

/**
 * Throws `message` unless `condition` holds.
 *
 * @example
 * ```ts
 * import { expect } from "./_conformance_files.ts";
 * expect(1 + 1 === 2, "arithmetic is broken"); // no error
 * ```
 */
export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let offset = 0; offset < n; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(n, offset + 65536)));
  }
  return bytes;
}

function streamOf(bytes: Uint8Array, chunk = 65536): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

/** A local scratch directory for one check, removed afterwards. */
async function withLocalDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-conformance-" });
  try {
    return await work(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

type Shape = "bytes" | "stream" | "path";

/** Puts `bytes` in the given shape, gets them back as a path or stream, compares sha256. */
async function roundTrip(ctx: CheckContext, bytes: Uint8Array, shape: Shape): Promise<string> {
  return await withLocalDir(async (local) => {
    const remote = `${ctx.dir}/round-trip-${shape}`;
    let source: Uint8Array | ReadableStream<Uint8Array> | string = bytes;
    if (shape === "stream") source = streamOf(bytes);
    if (shape === "path") {
      source = `${local}/source`;
      await Deno.writeFile(source, bytes);
    }
    expect(await ctx.connector.putFile(source, remote), `putFile returned false`);
    let back: Uint8Array;
    if (shape === "stream") {
      const chunks: Uint8Array[] = [];
      const sink = new WritableStream<Uint8Array>({ write: (chunk) => void chunks.push(chunk) });
      expect(await ctx.connector.getFile(remote, sink), "getFile returned false");
      back = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
    } else {
      expect(await ctx.connector.getFile(remote, `${local}/back`), "getFile returned false");
      back = await Deno.readFile(`${local}/back`);
    }
    const [want, got] = [await sha256(bytes), await sha256(back)];
    expect(
      want === got,
      `sha256 ${got.slice(0, 12)}… (${back.length} bytes) after the round trip, put ${
        want.slice(0, 12)
      }… (${bytes.length} bytes)`,
    );
    return `sha256 ${want.slice(0, 12)}…, ${bytes.length} bytes`;
  });
}

/** A source that gives `bytes` and then fails, as a dropped upload would. */
function brokenStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.error(new Error("source stream broke midway"));
      controller.enqueue(bytes);
      sent = true;
    },
  });
}

/**
 * The file checks, in order: three round trips and an interrupted put.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { fileChecks } from "./_conformance_files.ts";
 * deepStrictEqual(fileChecks().length, 4);
 * ```
 */
export function fileChecks(): Check[] {
  const text = new TextEncoder().encode('line 1\nit\'s "text" $(x) ✓\nno newline at the end');
  return [
    { name: "putFile/getFile round trip: text", run: (ctx) => roundTrip(ctx, text, "bytes") },
    {
      name: "putFile/getFile round trip: binary (streams)",
      run: (ctx) => roundTrip(ctx, randomBytes(1024 * 1024 + 17), "stream"),
    },
    {
      name: "putFile/getFile round trip: 50 MiB file",
      run: (ctx) => roundTrip(ctx, randomBytes(50 * 1024 * 1024), "path"),
    },
    {
      name: "an interrupted put leaves no partial destination",
      async run(ctx) {
        const dest = `${ctx.dir}/interrupted`;
        let outcome: string;
        try {
          const ok = await ctx.connector.putFile(brokenStream(randomBytes(1024 * 1024)), dest);
          outcome = ok ? "putFile returned true" : "putFile returned false";
        } catch (error) {
          outcome = `putFile threw`;
          void error;
        }
        const r = await ctx.connector.runShellCommand(sh`test -e ${dest}`);
        expect(r.exitCode === 1, `${outcome} and the destination exists afterwards`);
        expect(outcome !== "putFile returned true", "putFile returned true for a broken source");
        return `${outcome}; no destination`;
      },
    },
  ];
}

/** Local argv of every process, one per line (`ps -eo args`). */
async function localArgv(ctx: CheckContext): Promise<string[]> {
  const r = await ctx.local.runProcess(["sh", "-c", "ps -eo args"]);
  return r.output.stdoutLines;
}

/**
 * Runs a command holding a secret while watching local `ps`. The command
 * sleeps for a length unique to this run, so the watch can tell whether it
 * saw the command in a local process (connectors that wrap a local CLI) or
 * not (connectors that speak a protocol in-process); either way the secret
 * must appear in no argv, and a local probe process proves the watch works.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { secretArgvCheck } from "./_conformance_files.ts";
 * deepStrictEqual(secretArgvCheck().name, "secrets never in a local argv");
 * ```
 */
export function secretArgvCheck(): Check {
  return {
    name: "secrets never in a local argv",
    async run(ctx) {
      const token = `2.${String(Date.now() % 100000).padStart(5, "0")}${
        Math.floor(Math.random() * 9) + 1
      }`;
      const value = `skiff-conformance-secret-${crypto.randomUUID()}`;
      const probe = ctx.local.runProcess(["sh", "-c", `sleep ${token}1; true`]);
      const running = ctx.connector.runShellCommand(
        sh`sleep ${token}; echo ${secret(value)} > /dev/null`,
      );
      let seen = 0;
      let probed = 0;
      let done = false;
      running.finally(() => (done = true)).catch(() => {});
      while (!done) {
        for (const line of await localArgv(ctx)) {
          expect(
            !line.includes(value),
            `the secret is in a local argv: ${line.replace(value, "***")}`,
          );
          if (line.includes(`sleep ${token}1`)) probed++;
          else if (line.includes(`sleep ${token}`)) seen++;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const result = await running;
      await probe;
      expect(result.success, `the command failed: ${result.output.output}`);
      expect(probed > 0, "the ps watch never saw its own probe process: it cannot see argv");
      return seen > 0
        ? `the watch saw the command in ${seen} local argv snapshot(s)`
        : "the command ran in no local process (the watch saw its probe)";
    },
  };
}
