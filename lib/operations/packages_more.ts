/**
 * apt operations beside `apt.packages`: a local .deb file (`apt.deb`) and
 * upgrading what is installed (`apt.upgrade`).
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { deb } from "../facts/packages.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { aptGet, parseSimulation } from "./apt.ts";
import { packageChange } from "./effects.ts";
import { fileKey } from "./file_state.ts";
import { type PackageState, predict, readKey } from "./predicted_facts.ts";
import { StateUnknown, UNKNOWN } from "./predicted_state.ts";

/**
 * Parses `dpkg-deb -f FILE Package Version` output.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseDebFields } from "./packages_more.ts";
 * deepStrictEqual(parseDebFields("Package: hello\nVersion: 2.10-3\n"), { name: "hello", version: "2.10-3" });
 * ```
 */
export function parseDebFields(stdout: string): { name: string; version: string } {
  const field = (key: string) => new RegExp(`^${key}: (\\S+)$`, "m").exec(stdout)?.[1] ?? "";
  return { name: field("Package"), version: field("Version") };
}

/**
 * `apt.deb(src)`: installs the .deb file at `src` on the host (`apt-get
 * install`, which resolves its dependencies) unless that package is
 * installed in that version; a different installed version is upgraded or
 * downgraded to it (as `dpkg --compare-versions` tells).
 */
export async function debFile(ctx: OpContext, source: unknown): Promise<OperationResult> {
  if (typeof source !== "string" || !source.startsWith("/") || !source.endsWith(".deb")) {
    throw new InputError(
      `apt.deb src: expected the absolute path of a .deb file on the host, got ${
        JSON.stringify(source)
      }`,
    );
  }
  const builder = new ResultBuilder();
  const touched = ctx.prediction?.state.touchedBy([fileKey(source)]);
  if (touched) throw new StateUnknown(fileKey(source), touched.cause);
  const fields = await ctx.session.run(sh`dpkg-deb -f -- ${source} Package Version`, ctx.control);
  builder.record(fields);
  if (!fields.success) {
    throw new OperationError(
      `apt.deb: ${source} is no .deb file on ${ctx.session.name}: ${
        ctx.session.describeFailure(fields)
      }`,
    );
  }
  const { name, version } = parseDebFields(fields.output.stdout);
  const key = `package:apt:${name}`;
  const now = await readKey<PackageState>(ctx, key, async () => {
    const installed = await ctx.session.hostFact(deb);
    return { installed: name in installed, version: installed[name] };
  });
  if (now.installed && now.version === UNKNOWN) throw new StateUnknown(key, ctx.prediction!.cause);
  const was = now.installed ? String(now.version) : undefined;
  if (was === version) {
    return builder.done(`${name} ${version} is installed`);
  }
  if (was === undefined) builder.change(`installed ${name} ${version}`);
  else {
    const [order] = await runScript(
      ctx,
      sh`if dpkg --compare-versions ${
        String(now.version)
      } lt ${version}; then echo up; else echo down; fi`,
      builder,
    );
    builder.change(
      `${order === "up" ? "upgraded" : "downgraded"} ${name} ${was} -> ${version}`,
    );
  }
  if (ctx.wantDiff) builder.diff(`${name}: ${was ?? "(none)"} → ${version}`);
  if (ctx.prediction) {
    packageChange(ctx.prediction.state, "apt", ctx.prediction.cause);
    predict(ctx, key, { installed: true, version });
  } else {
    await runRecorded(ctx, aptGet("install", ["--allow-downgrades", source]), builder);
    ctx.session.invalidateFacts("packages.");
  }
  return builder.done("");
}

/**
 * `apt.upgrade({dist})`: `apt-get upgrade` (`dist-upgrade` with `dist`)
 * when its simulation says something would be upgraded or installed; the
 * packages it names are the change. The lists are not refreshed: run
 * `apt.update` first.
 */
export async function upgrade(
  ctx: OpContext,
  options: { dist?: boolean },
): Promise<OperationResult> {
  if (options.dist !== undefined && typeof options.dist !== "boolean") {
    throw new InputError(
      `apt.upgrade dist: expected true or false, got ${JSON.stringify(options.dist)}`,
    );
  }
  const sub = options.dist ? "dist-upgrade" : "upgrade";
  const builder = new ResultBuilder();
  // The simulation reads what is installed now: after a predicted package change it is unknown.
  const touched = ctx.prediction?.state.touchedBy(["package:apt:"]);
  if (touched) throw new StateUnknown("package:apt:", touched.cause);
  const lines = await runScript(ctx, sh`LC_ALL=C apt-get -s -o Debug::NoLocking=1 ${sub}`, builder);
  const simulated = parseSimulation(lines.join("\n"));
  const names = Object.keys(simulated.installed);
  if (names.length === 0 && simulated.removed.length === 0) {
    return builder.done("nothing to upgrade");
  }
  builder.change(
    `upgraded ${names.join(" ")}${
      simulated.removed.length > 0 ? `, removed ${simulated.removed.join(" ")}` : ""
    }`,
  );
  if (ctx.wantDiff) {
    builder.diff([
      ...names.map((name) => `${name} → ${simulated.installed[name]}`),
      ...simulated.removed.map((name) => `-${name}`),
    ].join("\n"));
  }
  if (ctx.prediction) {
    packageChange(ctx.prediction.state, "apt", ctx.prediction.cause, { simulated: true });
    for (const name of names) {
      predict(ctx, `package:apt:${name}`, { installed: true, version: simulated.installed[name] });
    }
    for (const name of simulated.removed) predict(ctx, `package:apt:${name}`, { installed: false });
  } else {
    await runRecorded(ctx, aptGet(sub), builder);
    ctx.session.invalidateFacts("packages.");
  }
  return builder.done("");
}
