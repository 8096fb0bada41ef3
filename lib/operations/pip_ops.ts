/**
 * `pip.venv` and `pip.packages`: Python virtual environments and the
 * distributions in them (or for the host's `python3`), through
 * `python -m pip`. `findLinks` installs from a directory or URL of
 * distributions instead of the package index (`--no-index --find-links`).
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { OperationResult, PipPackagesOptions } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { normalizeName, parsePipList, pipCommand, pythonOf } from "../facts/pip.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { pathCheck } from "./_file_io.ts";
import { all, keys, type MayChange, pathAt } from "./effects.ts";
import { fileKey } from "./file_state.ts";
import { flag, type LangManager, langSpecs, manageLang } from "./_lang_packages.ts";
import { predict, readKey } from "./predicted_facts.ts";
import { StateUnknown } from "./predicted_state.ts";

/** The predicted-state key of a virtual environment (true when it exists). */
const venvKey = (path: string) => `venv:${path}`;
/** The predicted-state prefix of the packages of a virtual environment (or the host's python3). */
const pipPrefix = (venv?: string) => `pip:${venv ?? ""}:`;

/** What `pip.venv` may change: the environment and everything under its directory. */
export const VENV: MayChange = all(
  keys((call) => [venvKey(String(call.positional[0]))]),
  pathAt(0, () => true),
);

/** What `pip.packages` may change: the packages of its environment and the files under it (or under /usr and /root). */
export const PIP_PACKAGES: MayChange = keys((call) => {
  const venv = call.options.venv;
  if (typeof venv === "string") return [pipPrefix(venv), `${fileKey(venv)}/`];
  return [pipPrefix(), "file:/usr/", "file:/root/"];
});

/**
 * `pip.venv(path, {python})`: a virtual environment made with
 * `PYTHON -m venv` (default `python3`) when `PATH/bin/python` is missing.
 * A dry run states it: an environment with no packages of its own yet.
 */
export async function venv(
  ctx: OpContext,
  pathArg: unknown,
  options: { python?: string },
): Promise<OperationResult> {
  const path = pathCheck(pathArg, "pip.venv path");
  const python = options.python ?? "python3";
  if (typeof python !== "string" || !/^[A-Za-z0-9_./+][A-Za-z0-9_./+-]*$/.test(python)) {
    throw new InputError(
      `pip.venv python: expected a command or path such as "python3.11", got ${
        JSON.stringify(python)
      }`,
    );
  }
  const builder = new ResultBuilder();
  const exists = await readKey<boolean>(ctx, venvKey(path), async () => {
    const [line] = await runScript(
      ctx,
      sh`if [ -x ${pythonOf(path)} ]; then echo yes; else echo no; fi`,
      builder,
    );
    return line === "yes";
  });
  if (exists) return builder.done(`virtual environment ${path} exists`);
  builder.change(`created virtual environment ${path}`);
  if (ctx.prediction) {
    const { state, cause } = ctx.prediction;
    state.forget(`${fileKey(path)}/`, cause);
    // Its packages are pip's own (and setuptools on older pythons): none skiff was asked for.
    state.forget(pipPrefix(path), cause, { rule: { value: { installed: false } } });
    predict(ctx, venvKey(path), true);
    return builder.done("");
  }
  await runRecorded(ctx, sh`${python} -m venv -- ${path}`, builder);
  return builder.done("");
}

const SPEC = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:==([A-Za-z0-9.+!_-]+))?$/;

/** Parses `pip install --dry-run` output: what it would install, by normalised name. */
function wouldInstall(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const line = lines.find((text) => text.startsWith("Would install "));
  for (const item of line?.slice("Would install ".length).split(/\s+/) ?? []) {
    const at = item.lastIndexOf("-");
    if (at > 0) out[normalizeName(item.slice(0, at))] = item.slice(at + 1);
  }
  return out;
}

/** The pip manager of one environment, with index arguments from `findLinks`. */
function pipManager(
  ctx: OpContext,
  env: string | undefined,
  findLinks: string | undefined,
): LangManager {
  const pip = pipCommand(env);
  const index: Command = findLinks === undefined ? sh`` : sh` --no-index --find-links ${findLinks}`;
  return {
    op: "pip.packages",
    prefix: pipPrefix(env),
    dir: env,
    parse: (spec) => {
      const match = SPEC.exec(spec);
      if (!match) {
        throw new InputError(
          `pip.packages packages: expected "name" or "name==version", got ${JSON.stringify(spec)}`,
        );
      }
      return { spec, name: normalizeName(match[1]), version: match[2] };
    },
    installed: async (builder) =>
      parsePipList((await runScript(ctx, sh`${pip} list --format=json`, builder)).join("\n")),
    outdated: async (names, builder) => {
      const lines = await runScript(ctx, sh`${pip} list --outdated --format=json${index}`, builder);
      const out: Record<string, string> = {};
      for (
        const item of JSON.parse(lines.join("\n") || "[]") as {
          name: string;
          latest_version: string;
        }[]
      ) {
        const name = normalizeName(item.name);
        if (names.includes(name)) out[name] = item.latest_version;
      }
      return out;
    },
    simulate: async (specs, builder) =>
      wouldInstall(await runScript(ctx, sh`${pip} install --dry-run${index} -- ${specs}`, builder)),
    install: (specs, upgrade) =>
      sh`${pip} install${upgrade ? sh` --upgrade` : sh``}${index} -- ${specs}`,
    remove: (names) => sh`${pip} uninstall --yes -- ${names}`,
  };
}

/**
 * `pip.packages(packages, {venv, requirements, present, latest, findLinks})`:
 * installs the named distributions that are missing (or pinned at another
 * version), upgrades those pip lists as outdated with `latest`, removes
 * them with `present: false`. `requirements` (a file on the host) is
 * installed when pip's own dry run says it would install anything.
 */
export async function packages(
  ctx: OpContext,
  options: PipPackagesOptions & { packages?: string | string[] },
): Promise<OperationResult> {
  const env = options.venv === undefined ? undefined : pathCheck(options.venv, "pip.packages venv");
  const findLinks = options.findLinks;
  if (
    findLinks !== undefined && (typeof findLinks !== "string" || !/^[^-\s]\S*$/.test(findLinks))
  ) {
    throw new InputError(
      `pip.packages findLinks: expected a directory or URL, got ${JSON.stringify(findLinks)}`,
    );
  }
  const present = flag("pip.packages", options as Record<string, unknown>, "present") ?? true;
  const latest = flag("pip.packages", options as Record<string, unknown>, "latest") ?? false;
  const manager = pipManager(ctx, env, findLinks);
  if (options.requirements === undefined) {
    return await manageLang(ctx, manager, {
      specs: langSpecs(manager, options.packages),
      present,
      latest,
    });
  }
  const file = pathCheck(options.requirements, "pip.packages requirements");
  const named = options.packages !== undefined &&
    !(Array.isArray(options.packages) && options.packages.length === 0);
  if (named || !present) {
    throw new InputError(
      "pip.packages requirements: give either packages or requirements, and only to install",
    );
  }
  // pip's own dry run reads the host: after an earlier change to this environment it cannot tell.
  const touched = ctx.prediction?.state.touchedBy([pipPrefix(env), ...(env ? [venvKey(env)] : [])]);
  if (touched) throw new StateUnknown(pipPrefix(env), touched.cause);
  const builder = new ResultBuilder();
  const pip = pipCommand(env);
  const index: Command = findLinks === undefined ? sh`` : sh` --no-index --find-links ${findLinks}`;
  const would = wouldInstall(
    await runScript(
      ctx,
      sh`${pip} install --dry-run${latest ? sh` --upgrade` : sh``}${index} -r ${file}`,
      builder,
    ),
  );
  const names = Object.keys(would);
  if (names.length === 0) return builder.done(`${file} is installed`);
  builder.change(
    `installed from ${file}: ${names.map((name) => `${name}==${would[name]}`).join(" ")}`,
  );
  for (const name of names) {
    predict(ctx, pipPrefix(env) + name, { installed: true, version: would[name] });
  }
  if (ctx.prediction && env !== undefined) {
    ctx.prediction.state.forget(`${fileKey(env)}/`, ctx.prediction.cause);
  }
  if (!ctx.dryRun) {
    await runRecorded(
      ctx,
      sh`${pip} install${latest ? sh` --upgrade` : sh``}${index} -r ${file}`,
      builder,
    );
  }
  return builder.done("");
}
