/**
 * Adapters between node streams (what ssh2 gives) and web streams (what
 * skiff passes around).
 *
 * @module
 */

/** The part of a node readable stream the adapters use. */
export interface NodeReadable {
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  pause?(): unknown;
  resume?(): unknown;
}

/** The part of a node writable stream the adapters use. */
export interface NodeWritable {
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  once(event: "drain", listener: () => void): unknown;
  /** Closes it without finishing (an aborted pipe); absent: it is left to its owner. */
  destroy?(): unknown;
}

/** A node writable whose close and failure {@linkcode webWritable} also listens for. */
export interface ClosableNodeWritable extends NodeWritable {
  once(event: "drain" | "close", listener: () => void): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  removeListener(event: "drain" | "close", listener: () => void): unknown;
  removeListener(event: "error", listener: (error: Error) => void): unknown;
}

/** A web ReadableStream fed by a node readable (with back-pressure through pause/resume). */
export function webReadable(source: NodeReadable): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on("data", (chunk) => {
        if (finished) return;
        // A view, not a copy: ssh2 hands out a fresh buffer per packet and never reuses it.
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) source.pause?.();
      });
      const end = () => {
        if (finished) return;
        finished = true;
        controller.close();
      };
      source.on("end", end);
      source.on("close", end);
      source.on("error", (error) => {
        if (finished) return;
        finished = true;
        controller.error(error);
      });
    },
    pull() {
      source.resume?.();
    },
  });
}

/**
 * A web WritableStream that writes into a node writable, waiting for drain;
 * aborting it (a `pipeTo` whose signal fired) destroys the target. A wait
 * for drain also ends when the target closes or fails: the write fails
 * instead of waiting for a drain that cannot come.
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { EventEmitter } from "node:events";
 * import { webWritable } from "./_node_streams.ts";
 * const full = Object.assign(new EventEmitter(), { write: () => false, end: () => {} });
 * const writing = webWritable(full).getWriter().write(new Uint8Array(1));
 * await new Promise((resolve) => setTimeout(resolve, 0)); // the write now waits for drain
 * full.emit("close");
 * await rejects(writing, /closed before it took all the data/);
 * ```
 */
export function webWritable(target: ClosableNodeWritable): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (target.write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          target.removeListener("drain", onDrain);
          target.removeListener("close", onClose);
          target.removeListener("error", onError);
          if (error === undefined) resolve();
          else reject(error);
        };
        const onDrain = () => settle();
        const onClose = () => settle(new Error("the stream closed before it took all the data"));
        const onError = (error: Error) => settle(error);
        target.once("drain", onDrain);
        target.once("close", onClose);
        target.once("error", onError);
      });
    },
    close() {
      target.end();
    },
    abort() {
      target.destroy?.();
    },
  });
}

/**
 * Writes `source` into `target` (an SSH channel's stdin) with back-pressure,
 * then ends it. A source that fails also ends it: the command sees the end
 * of its input early, and a caller that must not take that for the whole
 * input checks the length (`stagedMoveCommand`'s `size`). Stops without
 * ending, and cancels the source, once `stop` settles (the channel closed).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { pumpInto } from "./_node_streams.ts";
 * const got: string[] = [];
 * let ended = false;
 * const target = {
 *   write: (chunk: Uint8Array) => (got.push(new TextDecoder().decode(chunk)), true),
 *   end: () => (ended = true),
 *   once: () => {},
 * };
 * await pumpInto(new Response("abc").body!, target, new Promise(() => {}));
 * strictEqual(got.join(""), "abc");
 * strictEqual(ended, true);
 * ```
 */
export async function pumpInto(
  source: ReadableStream<Uint8Array>,
  target: NodeWritable,
  stop: Promise<unknown>,
): Promise<void> {
  const reader = source.getReader();
  let stopped = false;
  let wake: (() => void) | undefined;
  // No Promise.race against `stop`: each race would stay attached to it,
  // holding its chunk, until the channel closes.
  const onStop = () => {
    stopped = true;
    reader.cancel().catch(() => {});
    wake?.();
  };
  stop.then(onStop, onStop);
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done || stopped) break;
      if (!target.write(next.value) && !stopped) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          target.once("drain", resolve);
        });
        wake = undefined;
      }
    }
  } catch {
    // The source failed: end the input below; the caller knows the failure from the source.
  } finally {
    if (!stopped) target.end();
    await reader.cancel().catch(() => {});
  }
}
