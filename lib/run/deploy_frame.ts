/**
 * Where in a deploy an error happened: the first stack frame in the deploy's
 * own folder.
 *
 * @module
 */

/** skiff's own modules: a deploy beside them never takes their frames for its own. */
const SKIFF_SOURCE = new URL("../", import.meta.url).href;

/**
 * ` at FILE:LINE:COLUMN` of the first frame in a module under the deploy's
 * directory (the deploy or a helper it imports), where the error happened;
 * empty when no frame is there.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { firstDeployFrame } from "./deploy_frame.ts";
 * const stack = "SyntaxError: bad\n    at JSON.parse (<anonymous>)\n" +
 *   "    at settings (file:///srv/d/lib/helper.ts:2:15)\n    at default (file:///srv/d/deploy.ts:4:3)";
 * deepStrictEqual(firstDeployFrame(stack, "/srv/d/deploy.ts"), " at /srv/d/lib/helper.ts:2:15");
 * ```
 */
export function firstDeployFrame(stack: string, path: string): string {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const under = `file://${dir.replace(/\/$/, "")}/`;
  for (const frame of stack.split("\n")) {
    const match = /(file:\/\/[^\s)]+):(\d+):(\d+)/.exec(frame);
    if (match && match[1].startsWith(under) && !match[1].startsWith(SKIFF_SOURCE)) {
      return ` at ${decodeURIComponent(match[1].slice("file://".length))}:${match[2]}:${match[3]}`;
    }
  }
  return "";
}
