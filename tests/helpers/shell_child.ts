/**
 * A shell process for persistent-shell tests: `argv` (sh, busybox sh…) in
 * a process group of its own, its three streams piped.
 *
 * @module
 */

/** Starts `argv` as a shell reading commands on stdin. */
export function shellChild(argv: string[]): Deno.ChildProcess {
  return new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
}
