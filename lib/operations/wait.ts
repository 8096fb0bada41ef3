/**
 * `server.wait`: waits on the host until a TCP port on it accepts, a path
 * exists or a command succeeds. Never a change.
 *
 * @module
 */

import { type Command, raw, sh } from "../core/command.ts";
import type { OperationResult, WaitOptions } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { type OpContext, ResultBuilder, runScript } from "./context.ts";
import { pathCheck } from "./_file_io.ts";

const READY = "skiff:ready";
const WAITING = "skiff:waiting:";

/**
 * A POSIX check that a TCP port accepts on the host: a listening socket in
 * /proc/net/tcp or tcp6 (Linux), else `nc -z`, else bash's /dev/tcp.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { portCheck } from "./wait.ts";
 * deepStrictEqual(portCheck(8080).render().includes(":1F90 "), true);
 * ```
 */
export function portCheck(port: number): Command {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const pattern = `^ *[0-9]+: [0-9A-F]+:${hex} [0-9A-F]+:[0-9A-F]+ 0A `;
  return sh`{ if [ -r /proc/net/tcp ]; then cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -Eq ${pattern}
elif command -v nc >/dev/null 2>&1; then nc -z -w 1 127.0.0.1 ${String(port)} >/dev/null 2>&1
elif command -v bash >/dev/null 2>&1; then bash -c ${`exec 3<>/dev/tcp/127.0.0.1/${port}`} >/dev/null 2>&1
else false; fi; }`;
}

function validated(options: WaitOptions): Required<Pick<WaitOptions, "timeout">> & WaitOptions {
  const { port, path, command, timeout = 60 } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new InputError(
      `server.wait port: expected a TCP port from 1 to 65535, got ${JSON.stringify(port)}`,
    );
  }
  if (path !== undefined) pathCheck(path, "server.wait path");
  if (command !== undefined && (typeof command !== "string" || command.trim() === "")) {
    throw new InputError(
      `server.wait command: expected shell text, got ${JSON.stringify(command)}`,
    );
  }
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
    throw new InputError(
      `server.wait timeout: expected a number of seconds above 0, got ${JSON.stringify(timeout)}`,
    );
  }
  if (port === undefined && path === undefined && command === undefined) {
    throw new InputError("server.wait: expected at least one of port, path and command");
  }
  return { port, path, command, timeout };
}

/** What is waited for, for descriptions: `port 8080, path /run/app.sock`. */
function waitedFor({ port, path, command }: WaitOptions): string {
  const parts: string[] = [];
  if (port !== undefined) parts.push(`port ${port}`);
  if (path !== undefined) parts.push(`path ${path}`);
  if (command !== undefined) parts.push(`command ${command}`);
  return parts.join(", ");
}

/**
 * `server.wait({port, path, command, timeout})`: checks every second on the
 * host, for at most `timeout` seconds (default 60), until all that is
 * given holds; fails naming what still does not. Never a change; a dry run
 * does not wait (what it waits for may be made by earlier operations).
 */
export async function wait(ctx: OpContext, options: WaitOptions): Promise<OperationResult> {
  const wanted = validated(options);
  const builder = new ResultBuilder();
  const ready = `ready: ${waitedFor(wanted)}`;
  if (ctx.dryRun) return builder.done(ready);
  const checks: Command[] = [];
  if (wanted.port !== undefined) {
    checks.push(
      sh`${portCheck(wanted.port)} || w="$w, port "${String(wanted.port)}" does not accept"`,
    );
  }
  if (wanted.path !== undefined) {
    checks.push(sh`[ -e ${wanted.path} ] || w="$w, "${wanted.path}" does not exist"`);
  }
  if (wanted.command !== undefined) {
    checks.push(
      sh`sh -c ${wanted.command} >/dev/null 2>&1 </dev/null || w="$w, the command fails"`,
    );
  }
  const body = checks.reduce((acc, check) => sh`${acc}\n  ${check}`);
  const seconds = String(Math.ceil(wanted.timeout));
  const lines = await runScript(
    ctx,
    sh`end=$(( $(date +%s) + ${seconds} ))
while :; do
  w=
  ${body}
  if [ -z "$w" ]; then echo ${READY}; break; fi
  if [ "$(date +%s)" -ge "$end" ]; then echo "${raw(WAITING)}\${w#, }"; break; fi
  sleep 1
done`,
    builder,
  );
  const waiting = lines.find((line) => line.startsWith(WAITING));
  if (waiting !== undefined || !lines.includes(READY)) {
    throw new OperationError(
      `server.wait: not ready on ${ctx.session.name} after ${seconds} s: ${
        waiting?.slice(WAITING.length) ?? "no answer"
      }`,
    );
  }
  return builder.done(ready);
}
