/**
 * The `@ssh` data keys, and the pure resolve of the settings used to
 * connect: explicit host data beats `~/.ssh/config`, which beats built-in
 * defaults (a default never overrides the user's own config). Reading the
 * config file and the environment is the caller's job.
 *
 * @module
 */

import type { DataMeta } from "../../lib/core/data_meta.ts";
import { revealString } from "../base.ts";
import type { HostKeyPolicy, StrictHostKeyChecking } from "./host_keys.ts";
import { expandTokens, type SshConfig, type SshHostConfig } from "./ssh_config.ts";
import { parseSshTarget } from "./target.ts";

/** The data keys of `@ssh`, with their defaults. */
export const SSH_DATA_META: Readonly<Record<string, DataMeta>> = {
  ssh_hostname: {
    description: "Host name or address (looked up in ssh_config like `ssh NAME`)",
    type: "string",
  },
  ssh_port: { description: "Port (default: ssh_config Port, else 22)", type: "integer" },
  ssh_user: {
    description: "User (default: ssh_config User, else the local user)",
    type: "string",
  },
  ssh_password: { description: "Password", type: "string", secret: true },
  ssh_key: { description: "Private key file", type: "string" },
  ssh_key_password: {
    description: "Passphrase of the private key",
    type: "string",
    secret: true,
  },
  ssh_allow_agent: {
    description: "Use the SSH agent at SSH_AUTH_SOCK",
    type: "boolean",
    default: true,
  },
  ssh_look_for_keys: {
    description: "Try ~/.ssh/id_ed25519, id_rsa, id_ecdsa",
    type: "boolean",
    default: true,
  },
  ssh_forward_agent: {
    description: "Forward the agent (default: ssh_config ForwardAgent, else no)",
    type: "boolean",
  },
  ssh_config_file: { description: "ssh_config file (default ~/.ssh/config)", type: "string" },
  ssh_known_hosts_file: {
    description:
      "known_hosts file (default: ssh_config UserKnownHostsFile, else ~/.ssh/known_hosts)",
    type: "string",
  },
  ssh_strict_host_key_checking: {
    description:
      "Unknown host keys: yes refuses, accept-new records, no accepts (default: ssh_config, else accept-new)",
    type: "string",
    choices: ["yes", "accept-new", "no"],
  },
  ssh_connect_retries: {
    description: "Retries of a failed connection (never auth or host key)",
    type: "integer",
    default: 0,
  },
  ssh_connect_retry_min_delay: {
    description: "Least seconds between retries",
    type: "number",
    default: 0.1,
  },
  ssh_connect_retry_max_delay: {
    description: "Most seconds between retries",
    type: "number",
    default: 0.5,
  },
  ssh_file_transfer_protocol: {
    description: "sftp, or scp (plain `cat` over a channel, for servers without SFTP)",
    type: "string",
    choices: ["sftp", "scp"],
    default: "sftp",
  },
  ssh_proxy_jump: {
    description: "Jump hosts, [user@]host[:port] comma-separated (default: ssh_config ProxyJump)",
    type: "string",
  },
  ssh_connect_timeout: {
    description: "Seconds to connect (default: ssh_config ConnectTimeout, else 10)",
    type: "number",
  },
  ssh_keepalive_interval: {
    description:
      "Seconds between keepalives; 3 missed fail the host (default: ssh_config ServerAliveInterval, else 15)",
    type: "number",
  },
  ssh_max_channels: {
    description:
      "Channels open at once on one connection, the shell and SFTP included: the server's MaxSessions (at least 3); a refused open waits for one to close",
    type: "integer",
    default: 10,
  },
  ssh_persistent_shell: {
    description: "Run ordinary commands through one long-lived shell instead of a session each",
    type: "boolean",
    default: true,
  },
};

/** Everything needed to open one hop. */
export interface HopSettings extends HostKeyPolicy {
  /** The user to log in as. */
  user: string;
  /** Private key files to try, in order (missing ones are skipped). */
  keys: string[];
  /** ssh_config `IdentitiesOnly yes`: no default keys, no agent when keys are given. */
  identitiesOnly: boolean;
  /** Password, revealed. */
  password?: string;
  /** Passphrase of the keys, revealed. */
  keyPassword?: string;
  /** The agent socket to use, if any. */
  agent?: string;
  /** Forward the agent to the host. */
  forwardAgent: boolean;
  /** Seconds to connect. */
  connectTimeout: number;
  /** Seconds between keepalives. */
  keepalive: number;
  /** The config's `ProxyJump` for this host, if any. */
  proxyJump?: string;
}

/** The settings of a whole connection: the jump hosts in order, then the host itself. */
export interface SshSettings {
  /** The host the commands run on. */
  main: HopSettings;
  /** Jump hosts, first to last (empty without ProxyJump). */
  jumps: HopSettings[];
}

/** What the resolve reads from the local machine, passed in so that it stays pure. */
export interface SshEnvironment {
  /** `$HOME`. */
  home: string;
  /** The local user name (`$USER`). */
  localUser: string;
  /** `$SSH_AUTH_SOCK`, if set. */
  agentSocket?: string;
}

/** Input of {@linkcode resolveSettings}. */
export interface ResolveOptions {
  /** The host's connector data (explicit keys, plus the defaults of {@linkcode SSH_DATA_META}). */
  data: Readonly<Record<string, unknown>>;
  /** The parsed `~/.ssh/config` (or `ssh_config_file`). */
  config: SshConfig;
  /** The local machine's home, user and agent. */
  environment: SshEnvironment;
}

/** The data keys a jump host takes over from the host it leads to. */
const JUMP_KEYS = [
  "ssh_known_hosts_file",
  "ssh_strict_host_key_checking",
  "ssh_connect_timeout",
  "ssh_key",
  "ssh_key_password",
] as const;

/**
 * Resolves the settings of the host `alias` and of its jump hosts (from
 * `ssh_proxy_jump`, else the config's `ProxyJump`; `none` means none). A jump
 * host takes its user and port from its own `[user@]host[:port]` and config,
 * and its known_hosts, host-key policy, timeout and key from the host's data.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { resolveSettings } from "./settings.ts";
 * import { SshConfig } from "./ssh_config.ts";
 * const { main, jumps } = resolveSettings("web1", {
 *   data: { ssh_user: "deploy", ssh_proxy_jump: "bastion:2222" },
 *   config: SshConfig.empty(),
 *   environment: { home: "/home/me", localUser: "me" },
 * });
 * deepStrictEqual([main.user, main.host, main.port, main.strict], ["deploy", "web1", 22, "accept-new"]);
 * deepStrictEqual([jumps[0].user, jumps[0].host, jumps[0].port], ["me", "bastion", 2222]);
 * ```
 */
export function resolveSettings(alias: string, options: ResolveOptions): SshSettings {
  const { data } = options;
  const main = resolveHop(alias, data, options);
  const jumpSpec = (data.ssh_proxy_jump as string | undefined) ?? main.proxyJump;
  const jumps: HopSettings[] = [];
  if (jumpSpec && jumpSpec.toLowerCase() !== "none") {
    for (const spec of jumpSpec.split(",")) {
      const target = parseSshTarget(spec.trim());
      const explicit: Record<string, unknown> = {};
      for (const key of JUMP_KEYS) explicit[key] = data[key];
      if (target.user) explicit.ssh_user = target.user;
      if (target.port) explicit.ssh_port = target.port;
      jumps.push(resolveHop(target.host, explicit, options));
    }
  }
  return { main, jumps };
}

/** One hop: `explicit` data for this hop, then the config, then the defaults. */
function resolveHop(
  alias: string,
  explicit: Readonly<Record<string, unknown>>,
  options: ResolveOptions,
): HopSettings {
  const { home, localUser, agentSocket } = options.environment;
  const cfg = options.config.resolve(alias, {
    localUser,
    user: explicit.ssh_user as string | undefined,
  });
  const port = (explicit.ssh_port as number | undefined) ?? Number(firstOf(cfg, "port") ?? 22);
  const user = (explicit.ssh_user as string | undefined) ?? firstOf(cfg, "user") ?? localUser;
  const hostName = firstOf(cfg, "hostname");
  const tokens = { host: alias, port, user, localUser, home };
  const host = hostName ? expandTokens(hostName, tokens) : alias;
  const keys: string[] = [];
  if (typeof explicit.ssh_key === "string") keys.push(expandTokens(explicit.ssh_key, tokens));
  for (const file of cfg.identityfile ?? []) keys.push(expandTokens(file, { ...tokens, host }));
  const identitiesOnly = firstOf(cfg, "identitiesonly")?.toLowerCase() === "yes";
  if (options.data.ssh_look_for_keys && !identitiesOnly && keys.length === 0) {
    for (const name of ["id_ed25519", "id_rsa", "id_ecdsa"]) keys.push(`${home}/.ssh/${name}`);
  }
  const configKnownHosts = firstOf(cfg, "userknownhostsfile");
  const knownHostsFile = explicit.ssh_known_hosts_file as string | undefined ??
    (configKnownHosts ? expandTokens(configKnownHosts, tokens) : undefined) ??
    `${home}/.ssh/known_hosts`;
  const strict = strictFrom(explicit.ssh_strict_host_key_checking as string | undefined) ??
    strictFrom(firstOf(cfg, "stricthostkeychecking")) ?? "accept-new";
  const forward = explicit.ssh_forward_agent as boolean | undefined ??
    (firstOf(cfg, "forwardagent")?.toLowerCase() === "yes");
  const agent = options.data.ssh_allow_agent ? agentSocket : undefined;
  return {
    host,
    port,
    user,
    keys,
    identitiesOnly,
    password: revealString(explicit.ssh_password),
    keyPassword: revealString(explicit.ssh_key_password),
    agent: agent && !(identitiesOnly && keys.length > 0) ? agent : undefined,
    forwardAgent: forward,
    knownHosts: [knownHostsFile, "/etc/ssh/ssh_known_hosts"],
    strict,
    connectTimeout: (explicit.ssh_connect_timeout as number | undefined) ??
      Number(firstOf(cfg, "connecttimeout") ?? 10),
    keepalive: (explicit.ssh_keepalive_interval as number | undefined) ??
      Number(firstOf(cfg, "serveraliveinterval") ?? 15),
    proxyJump: firstOf(cfg, "proxyjump"),
  };
}

function strictFrom(value: string | undefined): StrictHostKeyChecking | undefined {
  switch (value?.toLowerCase()) {
    case "yes":
    case "ask":
      return "yes";
    case "accept-new":
      return "accept-new";
    case "no":
    case "off":
      return "no";
    default:
      return undefined;
  }
}

function firstOf(config: SshHostConfig, keyword: string): string | undefined {
  return config[keyword]?.[0];
}
