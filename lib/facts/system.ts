/**
 * System facts: the mounted filesystems, memory, processors and network
 * addresses, read from /proc, `getconf` and `ip -o addr`.
 *
 * @module
 */

import type { AddressFact, MemoryFact, MountFact } from "../api/mod.ts";
import type { FactDefinition } from "./fact.ts";

/**
 * Undoes the octal escapes of /proc/mounts and fstab (`\040` is a space).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { unescapeMountField } from "./system.ts";
 * strictEqual(unescapeMountField("/mnt/my\\040disk"), "/mnt/my disk");
 * ```
 */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Parses /proc/mounts text into the mounts by mount point; where several
 * are mounted on one point, the last (the one that is seen) wins.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseMounts } from "./system.ts";
 * deepStrictEqual(parseMounts("tmpfs /run tmpfs rw,nosuid,size=4k 0 0\n"), {
 *   "/run": { device: "tmpfs", fstype: "tmpfs", options: ["rw", "nosuid", "size=4k"] },
 * });
 * ```
 */
export function parseMounts(text: string): Record<string, MountFact> {
  const out: Record<string, MountFact> = {};
  for (const line of text.split("\n")) {
    const [device, path, fstype, options] = line.trim().split(/\s+/);
    if (options === undefined) continue;
    out[unescapeMountField(path)] = {
      device: unescapeMountField(device),
      fstype,
      options: options.split(","),
    };
  }
  return out;
}

/** The filesystems mounted now (as the fact's shell sees them), by mount point. */
export const mounts: FactDefinition<[], Record<string, MountFact>> = {
  name: "server.mounts",
  signature: {
    params: "",
    returns: "Record<string, MountFact>",
    description:
      "the filesystems mounted now, by mount point (`/proc/self/mounts`; the last mounted on a point wins)",
  },
  command: () => "cat /proc/self/mounts",
  parse: (stdout) => parseMounts(stdout),
};

/**
 * Parses /proc/meminfo (kB) into bytes.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseMeminfo } from "./system.ts";
 * deepStrictEqual(
 *   parseMeminfo("MemTotal: 4 kB\nMemFree: 1 kB\nMemAvailable: 2 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n"),
 *   { total: 4096, available: 2048, free: 1024, swapTotal: 0, swapFree: 0 },
 * );
 * ```
 */
export function parseMeminfo(text: string): MemoryFact {
  const kB = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match) kB.set(match[1], Number(match[2]));
  }
  const bytes = (key: string) => (kB.get(key) ?? 0) * 1024;
  return {
    total: bytes("MemTotal"),
    // Kernels before 3.14 have no MemAvailable: free memory is the closest.
    available: kB.has("MemAvailable") ? bytes("MemAvailable") : bytes("MemFree"),
    free: bytes("MemFree"),
    swapTotal: bytes("SwapTotal"),
    swapFree: bytes("SwapFree"),
  };
}

/** Memory and swap in bytes, from /proc/meminfo. */
export const memory: FactDefinition<[], MemoryFact> = {
  name: "server.memory",
  signature: {
    params: "",
    returns: "MemoryFact",
    description: "memory and swap in bytes, from /proc/meminfo",
  },
  command: () => "cat /proc/meminfo",
  parse: (stdout) => parseMeminfo(stdout),
};

/** The number of processors online (`getconf _NPROCESSORS_ONLN`, else `nproc`). */
export const cpus: FactDefinition<[], number> = {
  name: "server.cpus",
  signature: {
    params: "",
    returns: "number",
    description: "the number of processors online",
  },
  command: () => "getconf _NPROCESSORS_ONLN 2>/dev/null || nproc --all",
  parse: (stdout) => Number(stdout.trim()),
};

/**
 * Parses `ip -o addr show` into each interface's addresses, in order (a
 * veth's `@peer` suffix is not part of its name).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseIpAddr } from "./system.ts";
 * deepStrictEqual(
 *   parseIpAddr(
 *     "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n" +
 *       "5: eth0@if6    inet6 fd00::2/64 scope global \\       valid_lft forever\n",
 *   ),
 *   {
 *     lo: [{ family: "inet", address: "127.0.0.1", prefix: 8 }],
 *     eth0: [{ family: "inet6", address: "fd00::2", prefix: 64 }],
 *   },
 * );
 * ```
 */
export function parseIpAddr(text: string): Record<string, AddressFact[]> {
  const out: Record<string, AddressFact[]> = {};
  for (const line of text.split("\n")) {
    const match = /^\d+:\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)/.exec(line);
    if (!match) continue;
    const [, name, family, address, prefix] = match;
    (out[name] ??= []).push({
      family: family as AddressFact["family"],
      address,
      prefix: Number(prefix),
    });
  }
  return out;
}

/** The IPv4 and IPv6 addresses of each network interface, from `ip -o addr show`. */
export const addresses: FactDefinition<[], Record<string, AddressFact[]>> = {
  name: "network.addresses",
  signature: {
    params: "",
    returns: "Record<string, AddressFact[]>",
    description: "each interface's IPv4 and IPv6 addresses (`ip -o addr show`)",
  },
  command: () => "ip -o addr show",
  parse: (stdout) => parseIpAddr(stdout),
};
