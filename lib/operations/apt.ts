/**
 * apt operations: packages, update, signing keys and deb822 repositories.
 * apt-get runs with `DEBIAN_FRONTEND=noninteractive`, waits up to two minutes
 * for the dpkg lock, and keeps existing configuration files.
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { AptPackagesOptions, AptRepoOptions, OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { aptListsAge, aptPolicy, deb } from "../facts/packages.ts";
import { type OpContext, ResultBuilder, runRecorded } from "./context.ts";
import { file as fileOp, put } from "./files.ts";
import { managePackages, type PackageManager, type Simulated } from "./_packages.ts";
import { predict, readFact } from "./predicted_facts.ts";

/** The apt-get command line skiff uses, before the subcommand. */
export function aptGet(subcommand: string, args: readonly string[] = []): Command {
  const base =
    sh`DEBIAN_FRONTEND=noninteractive apt-get -y -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ${subcommand}`;
  return args.length === 0 ? base : sh`${base} ${[...args]}`;
}

const STAMP = "/var/lib/apt/periodic/update-success-stamp";

/** Runs `apt-get update` and touches the success stamp `cacheTime` is measured from. */
async function runUpdate(ctx: OpContext, builder: ResultBuilder): Promise<void> {
  if (ctx.prediction) return predict(ctx, "aptlists", { at: Date.now() });
  await runRecorded(
    ctx,
    sh`${aptGet("update")} && mkdir -p /var/lib/apt/periodic && touch ${STAMP}`,
    builder,
  );
  ctx.session.invalidateFacts("packages.");
}

/** True when the lists are missing or older than `cacheTime` seconds. */
async function listsStale(ctx: OpContext, cacheTime: number | undefined): Promise<boolean> {
  if (cacheTime === undefined) return true;
  if (typeof cacheTime !== "number" || cacheTime < 0) {
    throw new InputError(`cacheTime: expected seconds, got ${JSON.stringify(cacheTime)}`);
  }
  const age = await readFact(ctx, aptListsAge);
  return age === null || age > cacheTime;
}

function aptManager(options: AptPackagesOptions & { packages: string | string[] }): PackageManager {
  return {
    op: "apt.packages",
    name: "apt",
    versionSeparator: "=",
    installed: deb,
    outdated: async (ctx, names) => {
      const policy = await readFact(ctx, aptPolicy, names);
      return Object.fromEntries(
        names.filter((name) =>
          policy[name]?.candidate && policy[name].installed !== policy[name].candidate
        ).map((name) => [name, policy[name].candidate]),
      );
    },
    refresh: async (ctx, builder) => {
      if (await listsStale(ctx, options.cacheTime)) await runUpdate(ctx, builder);
    },
    install: (specs) =>
      aptGet("install", [...(options.noRecommends ? ["--no-install-recommends"] : []), ...specs]),
    remove: (names) => aptGet("remove", names),
    simulate: async (ctx, removing, specs) => {
      const recommends = options.noRecommends && !removing ? ["--no-install-recommends"] : [];
      const result = await ctx.session.run(
        sh`LC_ALL=C apt-get -s -o Debug::NoLocking=1 ${removing ? "remove" : "install"} ${[
          ...recommends,
          ...specs,
        ]}`,
        ctx.control,
      );
      return result.success ? parseSimulation(result.output.stdout) : undefined;
    },
  };
}

/**
 * `apt.packages(packages, {present, latest, update, cacheTime, noRecommends})`:
 * installs the missing packages (and with `latest` upgrades outdated ones) in
 * one apt-get call, or removes them.
 */
export function packages(
  ctx: OpContext,
  options: AptPackagesOptions & { packages: string | string[] },
): Promise<OperationResult> {
  return managePackages(ctx, aptManager(options), options);
}

/** `apt.update({cacheTime})`: `apt-get update`, only when the lists are older than `cacheTime`. */
export async function update(
  ctx: OpContext,
  options: { cacheTime?: number },
): Promise<OperationResult> {
  const builder = new ResultBuilder();
  if (!(await listsStale(ctx, options.cacheTime))) {
    return builder.done(`package lists are newer than ${options.cacheTime} s`);
  }
  builder.change("updated the package lists");
  await runUpdate(ctx, builder);
  return builder.done("");
}

/** `apt.key(dest, {src | content})`: a keyring file for `Signed-By`. */
export async function key(
  ctx: OpContext,
  options: { src?: string; content?: string | Uint8Array; dest?: string },
): Promise<OperationResult> {
  if (typeof options.dest !== "string" || !options.dest.startsWith("/")) {
    throw new InputError(
      `apt.key: dest must be an absolute keyring path such as /etc/apt/keyrings/example.asc`,
    );
  }
  if ((options.src === undefined) === (options.content === undefined)) {
    throw new InputError("apt.key: give exactly one of src and content");
  }
  const bytes = options.src !== undefined
    ? await ctx.readLocal(options.src)
    : typeof options.content === "string"
    ? new TextEncoder().encode(options.content)
    : options.content!;
  const armored = new TextDecoder().decode(bytes.subarray(0, 64)).includes(
    "-----BEGIN PGP PUBLIC KEY BLOCK-----",
  );
  if (armored && !options.dest.endsWith(".asc")) {
    throw new InputError(
      `apt.key: ${options.dest}: an ASCII-armored key must be saved with the .asc extension for apt to read it`,
    );
  }
  if (!armored && options.dest.endsWith(".asc")) {
    throw new InputError(`apt.key: ${options.dest}: a binary key must not use the .asc extension`);
  }
  return await put(ctx, { content: bytes }, options.dest, { mode: "644", createRemoteDir: true });
}

function list(value: unknown, what: string, required: boolean): string[] {
  if (value === undefined && !required) return [];
  const items = typeof value === "string" ? [value] : value;
  if (
    !Array.isArray(items) || (required && items.length === 0) ||
    items.some((item) => typeof item !== "string" || item === "" || /\s/.test(item))
  ) {
    throw new InputError(`apt.repo: ${what} must be a word or a list of words`);
  }
  return items as string[];
}

/**
 * The deb822 text of a repository entry.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { deb822Source } from "./apt.ts";
 * deepStrictEqual(deb822Source({ name: "x", uris: "https://pkg.example/deb", suites: "stable", components: "main", signedBy: "/etc/apt/keyrings/x.asc" }), "Types: deb\nURIs: https://pkg.example/deb\nSuites: stable\nComponents: main\nSigned-By: /etc/apt/keyrings/x.asc\n");
 * ```
 */
export function deb822Source(options: AptRepoOptions & { name: string }): string {
  const lines = [
    `Types: ${list(options.types ?? "deb", "types", true).join(" ")}`,
    `URIs: ${list(options.uris, "uris", true).join(" ")}`,
    `Suites: ${list(options.suites, "suites", true).join(" ")}`,
  ];
  const components = list(options.components, "components", false);
  if (components.length > 0) lines.push(`Components: ${components.join(" ")}`);
  const architectures = list(options.architectures, "architectures", false);
  if (architectures.length > 0) lines.push(`Architectures: ${architectures.join(" ")}`);
  if (options.signedBy !== undefined) {
    // One line: a newline would add fields of its own (`Trusted: yes`).
    if (
      typeof options.signedBy !== "string" || !/^\/[^\s\p{Cc}]*$/u.test(options.signedBy)
    ) {
      throw new InputError(
        `apt.repo: signedBy must be the absolute path of a keyring, got ${
          JSON.stringify(options.signedBy)
        }`,
      );
    }
    lines.push(`Signed-By: ${options.signedBy}`);
  }
  return lines.join("\n") + "\n";
}

/** `apt.repo(name, {uris, suites, components, signedBy, …})`: `/etc/apt/sources.list.d/NAME.sources`. */
export async function repo(
  ctx: OpContext,
  options: AptRepoOptions & { name: string },
): Promise<OperationResult> {
  if (typeof options.name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(options.name)) {
    throw new InputError(
      `apt.repo: name must be a file name made of letters, digits, "_", "." and "-"`,
    );
  }
  const path = `/etc/apt/sources.list.d/${options.name}.sources`;
  const builder = new ResultBuilder();
  const result = options.present === false
    ? await fileOp(ctx, path, { present: false })
    : await put(ctx, { content: deb822Source(options) }, path, { mode: "644" });
  builder.absorb(result);
  if (result.changed && options.update !== false) await runUpdate(ctx, builder);
  return builder.done(result.description);
}

/**
 * Parses `apt-get -s` output: the `Inst` lines (with the version installed)
 * and the `Remv` lines.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseSimulation } from "./apt.ts";
 * deepStrictEqual(
 *   parseSimulation("Inst hello (2.10-3 Debian:12.5/stable [amd64])\nInst libc6 [2.36-9] (2.36-9+deb12u4 Debian [amd64])\nConf hello (2.10-3 Debian:12.5/stable [amd64])\nRemv old:amd64 [1.0]\n"),
 *   { installed: { hello: "2.10-3", libc6: "2.36-9+deb12u4" }, removed: ["old"] },
 * );
 * ```
 */
export function parseSimulation(stdout: string): Simulated {
  const out: Simulated = { installed: {}, removed: [] };
  for (const line of stdout.split("\n")) {
    const inst = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+)/.exec(line);
    if (inst) out.installed[inst[1].replace(/:\S+$/, "")] = inst[2];
    const remv = /^Remv (\S+)/.exec(line);
    if (remv) out.removed.push(remv[1].replace(/:\S+$/, ""));
  }
  return out;
}
