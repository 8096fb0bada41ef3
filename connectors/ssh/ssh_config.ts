/**
 * A reader for OpenSSH client configuration (`~/.ssh/config`): `Host`
 * patterns with `*`, `?` and `!` (case-insensitive), `Include` with globs
 * (both through the one glob of `lib/core/glob.ts`), first value wins,
 * `IdentityFile` accumulates. `Match` takes `all`, `host`, `originalhost`,
 * `user` and `localuser` (each may be negated with `!`); a `Match` with
 * `exec`, `canonical`, `final` or another criterion never applies: skiff
 * runs no local command to decide.
 *
 * @module
 */

import { InputError } from "../../lib/core/errors.ts";
import { globRegExp, isGlob } from "../../lib/core/glob.ts";

/** One `Match` criterion: keyword (lower-cased), negated, its pattern list. */
interface Criterion {
  keyword: string;
  negated: boolean;
  patterns: string[];
}

/** One `Host` (patterns) or `Match` (criteria) block and its options (keywords lower-cased). */
interface Block {
  patterns: string[];
  match?: Criterion[];
  options: [string, string[]][];
}

/** What `Match` criteria are tested against. */
export interface MatchContext {
  /** The local user name (`localuser`). */
  localUser?: string;
  /** The remote user when given outside the config (`user`, else the config's `User`). */
  user?: string;
}

function parseCriteria(args: string[]): Criterion[] {
  const out: Criterion[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    const negated = word.startsWith("!");
    const keyword = (negated ? word.slice(1) : word).toLowerCase();
    if (keyword === "all" || keyword === "canonical" || keyword === "final") {
      out.push({ keyword, negated, patterns: [] });
    } else {
      out.push({ keyword, negated, patterns: args[i + 1] === undefined ? [] : [args[++i]] });
    }
  }
  return out;
}

/**
 * Whether one `Match` criterion holds for `host`, given the options resolved
 * so far (`Match host` sees the `HostName` set by earlier blocks). Criteria
 * skiff cannot decide (`exec`, `canonical`, `final`…) never hold, negated or
 * not.
 */
function criterionHolds(
  criterion: Criterion,
  host: string,
  resolved: Readonly<Record<string, readonly string[]>>,
  context: MatchContext,
): boolean {
  let value: string;
  switch (criterion.keyword) {
    case "all":
      return !criterion.negated;
    case "host":
      value = resolved.hostname?.[0] ?? host;
      break;
    case "originalhost":
      value = host;
      break;
    case "user":
      value = context.user ?? resolved.user?.[0] ?? "";
      break;
    case "localuser":
      value = context.localUser ?? "";
      break;
    default:
      return false;
  }
  return matchesPatterns(value, criterion.patterns) !== criterion.negated;
}

/** The options that apply to one host, keywords lower-cased. */
export type SshHostConfig = Readonly<Record<string, readonly string[]>>;

/** Splits a config line into words, honouring double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(line)) !== null) out.push(match[1] ?? match[2]);
  return out;
}

/**
 * True when `host` matches an OpenSSH pattern list (`*.example.com !db*`).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { matchesPatterns } from "./ssh_config.ts";
 * deepStrictEqual(matchesPatterns("web1.example.com", ["*.example.com", "!db*"]), true);
 * ```
 */
export function matchesPatterns(host: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const raw of patterns) {
    for (const pattern of raw.split(",")) {
      const negated = pattern.startsWith("!");
      if (globRegExp(negated ? pattern.slice(1) : pattern, { ignoreCase: true }).test(host)) {
        if (negated) return false;
        matched = true;
      }
    }
  }
  return matched;
}

/** Expands `~` at the start of a path. */
export function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return `${home}${path.slice(1)}`;
  return path;
}

async function expandGlob(pattern: string): Promise<string[]> {
  if (!isGlob(pattern)) return [pattern];
  const slash = pattern.lastIndexOf("/");
  const dir = pattern.slice(0, slash) || "/";
  const regex = globRegExp(pattern.slice(slash + 1), { pathname: true });
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (regex.test(entry.name)) out.push(`${dir}/${entry.name}`);
    }
  } catch {
    return [];
  }
  return out.sort();
}

/** A parsed client configuration. */
export class SshConfig {
  readonly #blocks: Block[];

  private constructor(blocks: Block[]) {
    this.#blocks = blocks;
  }

  /** An empty configuration. */
  static empty(): SshConfig {
    return new SshConfig([]);
  }

  /**
   * Parses config text; `Include`s are read relative to `sshDir`. A missing
   * file read through `load` is an empty config.
   */
  static async parse(
    text: string,
    options: { sshDir: string; home: string; source?: string },
  ): Promise<SshConfig> {
    const blocks: Block[] = [{ patterns: ["*"], options: [] }];
    await parseInto(text, blocks, options, 0);
    return new SshConfig(blocks);
  }

  /** Reads and parses a config file; a missing file gives an empty config. */
  static async load(path: string, home: string): Promise<SshConfig> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return SshConfig.empty();
      throw error;
    }
    return await SshConfig.parse(text, { sshDir: `${home}/.ssh`, home, source: path });
  }

  /**
   * The options for `host`: first value of each keyword wins; `IdentityFile`
   * collects all. `Match host` sees the `HostName` set so far, `Match user`
   * the user given outside the config or the `User` set so far.
   */
  resolve(host: string, context: MatchContext = {}): SshHostConfig {
    const out: Record<string, string[]> = {};
    for (const block of this.#blocks) {
      const applies = block.match
        ? block.match.every((criterion) => criterionHolds(criterion, host, out, context))
        : matchesPatterns(host, block.patterns);
      if (!applies) continue;
      for (const [keyword, args] of block.options) {
        if (keyword === "identityfile") (out.identityfile ??= []).push(...args);
        else if (!(keyword in out)) out[keyword] = args;
      }
    }
    return out;
  }
}

async function parseInto(
  text: string,
  blocks: Block[],
  options: { sshDir: string; home: string; source?: string },
  depth: number,
): Promise<void> {
  if (depth > 16) {
    throw new InputError(`${options.source ?? "ssh config"}: Include nested too deeply`);
  }
  let current = blocks[blocks.length - 1];
  for (const [index, rawLine] of text.split("\n").entries()) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1].toLowerCase();
    const args = words(match[2]);
    if (keyword === "host") {
      current = { patterns: args, options: [] };
      blocks.push(current);
    } else if (keyword === "match") {
      current = { patterns: [], match: parseCriteria(args), options: [] };
      blocks.push(current);
    } else if (keyword === "include") {
      for (const item of args) {
        const path = expandHome(item, options.home);
        const absolute = path.startsWith("/") ? path : `${options.sshDir}/${path}`;
        for (const file of await expandGlob(absolute)) {
          const included = await Deno.readTextFile(file).catch(() => "");
          const nested: Block[] = [current];
          await parseInto(included, nested, { ...options, source: file }, depth + 1);
          blocks.push(...nested.slice(1));
          if (nested.length > 1) current = nested[nested.length - 1];
        }
      }
    } else {
      if (args.length === 0) {
        throw new InputError(
          `${options.source ?? "ssh config"}:${index + 1}: ${match[1]} needs a value`,
        );
      }
      current.options.push([keyword, args]);
    }
  }
}

/**
 * Expands OpenSSH `%` tokens (`%h` host, `%p` port, `%r` remote user, `%u`
 * local user, `%d` home, `%%`) and a leading `~`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { expandTokens } from "./ssh_config.ts";
 * deepStrictEqual(expandTokens("~/.ssh/%r@%h", { host: "web", port: 22, user: "deploy", localUser: "me", home: "/home/me" }), "/home/me/.ssh/deploy@web");
 * ```
 */
export function expandTokens(
  value: string,
  tokens: { host: string; port: number; user: string; localUser: string; home: string },
): string {
  const expanded = value.replace(/%([%hprud])/g, (_, token: string) => {
    switch (token) {
      case "h":
        return tokens.host;
      case "p":
        return String(tokens.port);
      case "r":
        return tokens.user;
      case "u":
        return tokens.localUser;
      case "d":
        return tokens.home;
      default:
        return "%";
    }
  });
  return expandHome(expanded, tokens.home);
}
