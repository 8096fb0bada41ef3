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

/** A web ReadableStream fed by a node readable (with back-pressure through pause/resume). */
export function webReadable(source: NodeReadable): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on("data", (chunk) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk));
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
 * aborting it (a `pipeTo` whose signal fired) destroys the target.
 */
export function webWritable(target: NodeWritable): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (target.write(chunk)) return;
      return new Promise<void>((resolve) => target.once("drain", resolve));
    },
    close() {
      target.end();
    },
    abort() {
      target.destroy?.();
    },
  });
}
