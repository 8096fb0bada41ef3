/**
 * A deploy run that Ctrl-C can stop while the deploy's own code is busy.
 *
 * @module
 */

/**
 * `promise`, or on Ctrl-C an "Interrupted" rejection once the calls in
 * flight have settled (they stop their remote commands): a deploy busy in
 * its own code, or waiting, does not hold the run.
 */
export function interruptible<T>(
  promise: Promise<T>,
  { signal, inFlight }: { signal?: AbortSignal; inFlight: Set<Promise<unknown>> },
): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      void Promise.allSettled([...inFlight]).then(() => reject(new Error("Interrupted")));
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
