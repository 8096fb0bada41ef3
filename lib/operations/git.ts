/**
 * `git.repo`: a working copy of a repository at a branch or tag. Clones when
 * absent; otherwise asks the remote (`git ls-remote`, which changes nothing,
 * so dry runs are exact) where the branch or tag points and only then
 * fetches and checks it out. Reports a change only when HEAD moved.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import { type Command, sh } from "../core/command.ts";
import type { GitRepoOptions, OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { privilegeOf, privilegeSteps } from "../core/privilege.ts";
import { type OpContext, ResultBuilder } from "./context.ts";
import { fileKey, predictFile, predictUnknownUnder, resolveFile } from "./file_state.ts";
import { predict } from "./predicted_facts.ts";
import { StateUnknown, UNKNOWN } from "./predicted_state.ts";

const MISSING = "skiff:missing";

/**
 * Control arguments that run git as `user`: `_sudo_user` when sudo is in the
 * privilege, else `_su_user` with `/bin/sh` (service accounts often have no
 * login shell), nested inside `_doas` or a chain explicitly.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { asUser } from "./git.ts";
 * deepStrictEqual(asUser({ _sudo: true }, "app"), { _sudo: true, _sudo_user: "app" });
 * deepStrictEqual(asUser({ _doas: true }, "app"), { _doas: true, _su_user: "app", _su_shell: "/bin/sh", _privilege_chain: ["doas", "su"] });
 * ```
 */
export function asUser(control: ControlArguments, user: string | undefined): ControlArguments {
  if (user === undefined) return control;
  const methods = privilegeSteps(privilegeOf(control)).map((step) => step.kind);
  if (methods.includes("sudo")) return { ...control, _sudo_user: user };
  const su = { ...control, _su_user: user, _su_shell: control._su_shell ?? "/bin/sh" };
  const outer = methods.filter((method) => method !== "su");
  return outer.length === 0 ? su : { ...su, _privilege_chain: [...outer, "su"] };
}

/**
 * Where `name` points in `git ls-remote` output: a branch, else a tag (peeled
 * to its commit), else null.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { resolveRemote } from "./git.ts";
 * deepStrictEqual(resolveRemote("abc\trefs/heads/main\ndef\trefs/tags/v1\n123\trefs/tags/v1^{}\n", "v1"), { sha: "123", kind: "tag" });
 * ```
 */
export function resolveRemote(
  lsRemote: string,
  name: string,
): { sha: string; kind: "branch" | "tag" } | null {
  const refs = new Map<string, string>();
  for (const line of lsRemote.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (sha && ref) refs.set(ref, sha);
  }
  const branch = refs.get(`refs/heads/${name}`);
  if (branch) return { sha: branch, kind: "branch" };
  const tag = refs.get(`refs/tags/${name}^{}`) ?? refs.get(`refs/tags/${name}`);
  return tag ? { sha: tag, kind: "tag" } : null;
}

function check(options: GitRepoOptions & { src: string; dest: string }): void {
  if (typeof options.src !== "string" || options.src === "" || options.src.startsWith("-")) {
    throw new InputError(`git.repo: src must be a repository URL or path`);
  }
  if (typeof options.dest !== "string" || !options.dest.startsWith("/")) {
    throw new InputError(`git.repo: dest must be an absolute path`);
  }
  if (
    options.branch !== undefined &&
    (typeof options.branch !== "string" || !/^[^-\s~^:?*[\\][^\s~^:?*[\\]*$/.test(options.branch))
  ) {
    throw new InputError(
      `git.repo: branch must be a branch or tag name, got ${JSON.stringify(options.branch)}`,
    );
  }
}

/** `git.repo(src, dest, {branch, pull, user})`. */
export async function repo(
  ctx: OpContext,
  options: GitRepoOptions & { src: string; dest: string },
): Promise<OperationResult> {
  check(options);
  const { src, dest, branch } = options;
  const control = asUser(ctx.control, options.user);
  const builder = new ResultBuilder();
  const git = async (command: Command): Promise<string> => {
    const result = await ctx.session.run(command, control);
    builder.record(result);
    if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
    return result.output.stdout;
  };
  const short = (sha: string | typeof UNKNOWN) =>
    sha === UNKNOWN ? "?" : sha.slice(0, 7) || "(none)";
  const moved = (from: string | typeof UNKNOWN, to: string | typeof UNKNOWN, wanted?: string) => {
    if (ctx.wantDiff) {
      builder.diff(`${dest}: ${short(from)} → ${short(to)}${wanted ? ` (${wanted})` : ""}`);
    }
  };
  const state = predictedState(ctx, dest) ?? await git(sh`d=${dest}
if [ -e "$d/.git" ]; then
  cd "$d" || exit 1
  echo "head=$(git rev-parse -q --verify HEAD)"
  echo "url=$(git config --get remote.origin.url)"
  echo "branch=$(git symbolic-ref -q --short HEAD)"
elif [ -e "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ]; then
  echo ${dest}" exists and is not a git working copy" >&2; exit 1
else echo ${MISSING}; fi`);
  if (state.trim() === MISSING) {
    builder.change(`cloned ${src} into ${dest}${branch ? ` at ${branch}` : ""}`);
    if (!ctx.dryRun) {
      // With --diff the clone says where it landed, in the same round trip.
      const landed = await git(
        sh`git clone -q ${branch ? sh`--branch ${branch} ` : sh``}-- ${src} ${dest}${
          ctx.wantDiff ? sh` && cd ${dest} && git rev-parse HEAD` : sh``
        }`,
      );
      moved("", landed.trim() || UNKNOWN, branch);
    } else {
      // The commit a clone lands on, when the host can ask (git may come with an earlier package).
      const target = await landing(git, src, branch);
      moved("", target.sha, branch);
      predictFile(ctx, dest, { type: "directory", mode: UNKNOWN, user: UNKNOWN, group: UNKNOWN });
      predictUnknownUnder(ctx, dest);
      // Stated last: the working copy is known though its files are not.
      predict(ctx, `git:${dest}`, { head: target.sha, url: src, branch: target.branch });
    }
    return builder.done("");
  }
  const fields = Object.fromEntries(
    state.split("\n").filter((l) => l.includes("=")).map((l) => [
      l.slice(0, l.indexOf("=")),
      l.slice(l.indexOf("=") + 1),
    ]),
  );
  const head = fields.head ?? "";
  const current = fields.branch ?? "";
  const inRepo = (command: Command) => git(sh`cd ${dest} && ${command}`);
  if (fields.url !== src) {
    builder.change(`origin ${fields.url || "(none)"} -> ${src}`);
    predict(ctx, `git:${dest}`, { head, url: src, branch: current });
    if (!ctx.dryRun) {
      await inRepo(
        fields.url ? sh`git remote set-url origin ${src}` : sh`git remote add origin ${src}`,
      );
    }
  }
  const wanted = branch ?? current;
  if (wanted === "" || (options.pull === false && (branch === undefined || branch === current))) {
    return builder.done(`${dest} is at ${head.slice(0, 7) || "no commit"}`);
  }
  const target = resolveRemote(await git(sh`git ls-remote -- ${src}`), wanted);
  if (target === null) {
    throw new OperationError(`git.repo: ${src} has no branch or tag "${wanted}"`);
  }
  const onIt = target.kind === "tag" ? current === "" : current === wanted;
  if (target.sha === head && onIt) return builder.done(`${dest} is at ${head.slice(0, 7)}`);
  if (ctx.dryRun) {
    if (target.sha !== head) {
      builder.change(`${dest}: HEAD ${head.slice(0, 7)} -> ${target.sha.slice(0, 7)} (${wanted})`);
      moved(head, target.sha, wanted);
      predictUnknownUnder(ctx, dest);
    }
    predict(ctx, `git:${dest}`, {
      head: target.sha,
      url: src,
      branch: target.kind === "tag" ? "" : wanted,
    });
    return builder.done(`${dest} is at ${head.slice(0, 7)}`);
  }
  await inRepo(sh`git fetch -q --tags --force origin`);
  if (target.kind === "tag") {
    await inRepo(sh`git -c advice.detachedHead=false checkout -q ${`refs/tags/${wanted}`}`);
  } else {
    const upstream = `origin/${wanted}`;
    await inRepo(
      sh`{ git checkout -q ${wanted} 2>/dev/null || git checkout -q -b ${wanted} --track ${upstream}; }${
        options.pull === false ? sh`` : sh` && git merge -q --ff-only ${upstream}`
      }`,
    );
  }
  const after = (await inRepo(sh`git rev-parse HEAD`)).trim();
  if (after !== head) {
    builder.change(`${dest}: HEAD ${head.slice(0, 7)} -> ${after.slice(0, 7)} (${wanted})`);
    moved(head, after, wanted);
  }
  return builder.done(`${dest} is at ${after.slice(0, 7)}`);
}

/**
 * The working copy's state (as the state script prints it) when a dry run
 * predicted it: after an earlier `git.repo` of the same dest, or an
 * operation that made or removed the directory. Undefined: ask the host.
 */
function predictedState(ctx: OpContext, dest: string): string | undefined {
  const state = ctx.prediction?.state;
  if (!state) return undefined;
  const found = state.lookup(`git:${dest}`);
  const inside = resolveFile(state, `${dest}/.git`);
  if (found.from === "state" && (inside.from === "host" || inside.seq < found.seq)) {
    const repo = found.value as
      | typeof UNKNOWN
      | null
      | { head: string | typeof UNKNOWN; url: string; branch: string | typeof UNKNOWN };
    if (repo === null) return MISSING;
    if (repo === UNKNOWN || repo.head === UNKNOWN || repo.branch === UNKNOWN) {
      throw new StateUnknown(`git:${dest}`, found.cause);
    }
    return `head=${repo.head}\nurl=${repo.url}\nbranch=${repo.branch}\n`;
  }
  if (inside.from === "host") return undefined;
  const value = inside.from === "state" ? inside.value : UNKNOWN;
  if (value === UNKNOWN || (value as { type: string }).type !== "absent") {
    throw new StateUnknown(fileKey(`${dest}/.git`), inside.cause ?? "an earlier change");
  }
  return MISSING;
}

/**
 * Where a clone of `src` lands: the commit of `branch` (or of the remote's
 * HEAD) and the branch checked out, from `git ls-remote --symref`; unknown
 * when the host cannot ask (no git yet).
 */
async function landing(
  git: (command: Command) => Promise<string>,
  src: string,
  branch: string | undefined,
): Promise<{ sha: string | typeof UNKNOWN; branch: string | typeof UNKNOWN }> {
  let refs: string;
  try {
    refs = await git(sh`git ls-remote --symref -- ${src}`);
  } catch (error) {
    if (error instanceof OperationError) return { sha: UNKNOWN, branch: branch ?? UNKNOWN };
    throw error;
  }
  if (branch !== undefined) {
    const target = resolveRemote(refs, branch);
    if (target === null) {
      throw new OperationError(`git.repo: ${src} has no branch or tag "${branch}"`);
    }
    return { sha: target.sha, branch: target.kind === "tag" ? "" : branch };
  }
  const head = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(refs)?.[1];
  const sha = /^([0-9a-f]{40})\tHEAD$/m.exec(refs)?.[1];
  return { sha: sha ?? UNKNOWN, branch: head ?? UNKNOWN };
}
