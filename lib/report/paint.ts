/**
 * Colour for the terminal, off with NO_COLOR or when output is not a terminal.
 * The only place that adds ANSI codes.
 *
 * @module
 */

import pc from "picocolors";
import { type CliIo, useColor } from "./io.ts";

/** Colouring helpers bound to one run's colour setting. */
export interface Painter {
  /** `[host] ` in the host's colour. */
  prefix(host: string): string;
  /** Red text. */
  error(text: string): string;
  /** Yellow text. */
  changed(text: string): string;
  /** Green text. */
  ok(text: string): string;
  /** Dim text. */
  dim(text: string): string;
  /** Bold text. */
  bold(text: string): string;
}

const HOST_COLORS = ["cyan", "magenta", "blue", "yellow", "green"] as const;

/** A painter for `io`: colour only when allowed. */
export function hostPainter(io: CliIo): Painter {
  const colors = pc.createColors(useColor(io));
  const hostColor = (host: string) => {
    let hash = 0;
    for (const char of host) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return colors[HOST_COLORS[hash % HOST_COLORS.length]];
  };
  return {
    prefix: (host) => hostColor(host)(`[${host}] `),
    error: colors.red,
    changed: colors.yellow,
    ok: colors.green,
    dim: colors.dim,
    bold: colors.bold,
  };
}
