/**
 * The `@ssh` connector on `npm:ssh2`: one connection per host for the whole
 * run, a persistent shell for ordinary commands, channels for commands with
 * stdin, a pty or a timeout, SFTP for files. Honours `~/.ssh/config`
 * (explicit host data wins; built-in defaults never override the config),
 * verifies host keys against known_hosts, and never puts a secret in argv.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from "ssh2";
import { type ControlArguments, extractControlArguments } from "../../lib/core/arguments.ts";
import { type Command, quote, SecretValue, sh } from "../../lib/core/command.ts";
import { ConnectError, errorMessage, InputError } from "../../lib/core/errors.ts";
import { CommandOutput, LineSplitter, type OutputLine } from "../../lib/core/output.ts";
import { stdinBytes } from "../../lib/process.ts";
import { makeUnixCommand } from "../../lib/core/unix_command.ts";
import { PersistentShell, runInShell, ShellLostError } from "../_persistent_shell.ts";
import { webReadable, webWritable } from "../_node_streams.ts";
import { downloadTo, isPrivileged, sourceStream, tempName } from "../_shared.ts";
import {
  BaseConnector,
  type CommandResult,
  type DataMeta,
  type FileDestination,
  type FileSource,
  type NameData,
  type PutOptions,
  revealString,
  type RunOptions,
} from "../base.ts";
import { appendKnownHost, checkHostKey, fingerprint } from "./host_keys.ts";
import { expandTokens, SshConfig, type SshHostConfig } from "./ssh_config.ts";

/**
 * How many channels one connection keeps open at once, the persistent shell
 * included. sshd's MaxSessions defaults to 10; under Deno, 4 or more
 * concurrent channels made the connection drop in our tests, 3 never did.
 */
const MAX_CHANNELS = 3;
const PID_MARK = "__skiff_pid__:";

/**
 * Splits `user@host:port` (and `[v6]:port`) into its parts.
 *
 * @example
 * ```ts
 * import { parseSshTarget } from "./connector.ts";
 * parseSshTarget("deploy@10.0.0.5:2222"); // { host: "10.0.0.5", user: "deploy", port: 2222 }
 * ```
 */
export function parseSshTarget(target: string): { host: string; user?: string; port?: number } {
  let rest = target;
  let user: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at !== -1) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let port: number | undefined;
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    rest = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else if (/^[^:]+:\d+$/.test(rest)) {
    const colon = rest.lastIndexOf(":");
    port = Number(rest.slice(colon + 1));
    rest = rest.slice(0, colon);
  }
  if (rest === "" || (port !== undefined && (port < 1 || port > 65535))) {
    throw new InputError(`Bad ssh target "${target}": expected [user@]host[:port]`);
  }
  const out: { host: string; user?: string; port?: number } = { host: rest };
  if (user) out.user = user;
  if (port !== undefined) out.port = port;
  return out;
}

/** Everything needed to open one hop. */
interface HopSettings {
  host: string;
  port: number;
  user: string;
  keys: string[];
  identitiesOnly: boolean;
  password?: string;
  keyPassword?: string;
  agent?: string;
  forwardAgent: boolean;
  knownHosts: string[];
  strict: "yes" | "accept-new" | "no";
  connectTimeout: number;
  keepalive: number;
  /** The config's `ProxyJump` for this host, if any. */
  proxyJump?: string;
}

/** How a channel ended: its exit status (if any), known once it closed. */
interface ChannelOutcome {
  closed: Promise<{ code?: number; signal?: string }>;
}

function recordOutcome(stream: ClientChannel): ChannelOutcome {
  let exit: { code?: number; signal?: string } = {};
  stream.on("exit", (code: number | null, signal?: string) => {
    exit = { code: code ?? undefined, signal: signal ?? undefined };
  });
  return { closed: new Promise((resolve) => stream.on("close", () => resolve(exit))) };
}

/** A counting semaphore for channels. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(count: number) {
    this.#free = count;
  }
  async take(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

function strictFrom(value: string | undefined): "yes" | "accept-new" | "no" | undefined {
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

/**
 * How secret values reach a command on its own channel without touching
 * argv: the command first reads one line per secret from stdin. A value is
 * sent sh-quoted with each newline written as `"$skiff_nl"`, so a
 * multi-line value (a key, a certificate) still fits on one line; `eval`
 * turns it back into the exact value.
 *
 * @example
 * ```ts
 * import { secretsOnStdin } from "./connector.ts";
 * new TextDecoder().decode(secretsOnStdin({ S: "a\nb" }).input);
 * // "'a'\"$skiff_nl\"'b'\n"
 * ```
 */
export function secretsOnStdin(
  secretEnv: Readonly<Record<string, string>>,
): { prelude: string; input: Uint8Array } {
  const names = Object.keys(secretEnv);
  if (names.length === 0) return { prelude: "", input: new Uint8Array() };
  const prelude = "skiff_nl='\n'; " +
    names.map((name) =>
      `IFS= read -r ${name} || exit 125; eval "${name}=\$${name}"; export ${name}; `
    ).join("");
  const lines = names.map((name) =>
    secretEnv[name].split("\n").map(quote).join('"$skiff_nl"') + "\n"
  );
  return { prelude, input: new TextEncoder().encode(lines.join("")) };
}

/** Runs commands and moves files over SSH. */
export class SshConnector extends BaseConnector {
  static override connectorName = "ssh";
  static override handlesExecution = true;
  static override description = "A host reached over SSH (ssh2, honouring ~/.ssh/config)";
  static override dataMeta: Readonly<Record<string, DataMeta>> = {
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
    ssh_persistent_shell: {
      description: "Run ordinary commands through one long-lived shell instead of a session each",
      type: "boolean",
      default: true,
    },
  };

  readonly #slots = new Slots(MAX_CHANNELS);
  readonly #outcomes = new WeakMap<ClientChannel, ChannelOutcome>();
  #clients: Client[] = [];
  #shell?: PersistentShell;
  #sftp?: Promise<SFTPWrapper>;
  #lost?: string;
  #settings?: HopSettings;

  /** `@ssh/web1` or a bare `web1`; `user@host:port` fills user and port. */
  static *makeNamesData(arg: string | undefined): Iterable<NameData> {
    if (arg === undefined || arg === "") throw new InputError("@ssh needs a host: write @ssh/HOST");
    const target = parseSshTarget(arg);
    const data: Record<string, unknown> = { ssh_hostname: target.host };
    if (target.user !== undefined) data.ssh_user = target.user;
    if (target.port !== undefined) data.ssh_port = target.port;
    yield { name: `@ssh/${arg}`, data, groups: [] };
  }

  /** The settings of the main hop after ssh_config; for rsync and tests. */
  get settings(): HopSettings | undefined {
    return this.#settings;
  }

  override async connect(): Promise<void> {
    const retries = this.data.ssh_connect_retries as number;
    const min = this.data.ssh_connect_retry_min_delay as number;
    const max = Math.max(min, this.data.ssh_connect_retry_max_delay as number);
    for (let attempt = 0;; attempt++) {
      try {
        await this.#connectOnce();
        return;
      } catch (error) {
        this.#closeClients();
        const permanent = error instanceof ConnectError && error.permanent;
        if (permanent || attempt >= retries) {
          throw error instanceof ConnectError
            ? error
            : new ConnectError(errorMessage(error), { cause: error });
        }
        const delay = min + Math.random() * (max - min);
        await new Promise((resolve) => setTimeout(resolve, delay * 1000));
      }
    }
  }

  #settingsFor(
    alias: string,
    explicit: Record<string, unknown>,
    config: SshConfig,
  ): HopSettings {
    const home = Deno.env.get("HOME") ?? "/root";
    const localUser = Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? "root";
    const cfg = config.resolve(alias, {
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
    if (this.data.ssh_look_for_keys && !identitiesOnly && keys.length === 0) {
      for (const name of ["id_ed25519", "id_rsa", "id_ecdsa"]) keys.push(`${home}/.ssh/${name}`);
    }
    const knownHostsFile = explicit.ssh_known_hosts_file as string | undefined ??
      (firstOf(cfg, "userknownhostsfile")
        ? expandTokens(firstOf(cfg, "userknownhostsfile")!, tokens)
        : undefined) ??
      `${home}/.ssh/known_hosts`;
    const strict = strictFrom(explicit.ssh_strict_host_key_checking as string | undefined) ??
      strictFrom(firstOf(cfg, "stricthostkeychecking")) ?? "accept-new";
    const forward = explicit.ssh_forward_agent as boolean | undefined ??
      (firstOf(cfg, "forwardagent")?.toLowerCase() === "yes");
    const agentSocket = this.data.ssh_allow_agent ? Deno.env.get("SSH_AUTH_SOCK") : undefined;
    return {
      host,
      port,
      user,
      keys,
      identitiesOnly,
      password: revealString(explicit.ssh_password),
      keyPassword: revealString(explicit.ssh_key_password),
      agent: agentSocket && !(identitiesOnly && keys.length > 0) ? agentSocket : undefined,
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

  async #connectOnce(): Promise<void> {
    const home = Deno.env.get("HOME") ?? "/root";
    const configFile = (this.data.ssh_config_file as string | undefined) ?? `${home}/.ssh/config`;
    const config = await SshConfig.load(configFile, home);
    const alias = (this.data.ssh_hostname as string | undefined) ??
      this.host.name.replace(/^@ssh\//, "");
    const settings = this.#settingsFor(alias, this.data, config);
    this.#settings = settings;
    const jumpSpec = (this.data.ssh_proxy_jump as string | undefined) ?? settings.proxyJump;
    const hops: HopSettings[] = [];
    if (jumpSpec && jumpSpec.toLowerCase() !== "none") {
      for (const spec of jumpSpec.split(",")) {
        const target = parseSshTarget(spec.trim());
        const explicit: Record<string, unknown> = {
          ssh_known_hosts_file: this.data.ssh_known_hosts_file,
          ssh_strict_host_key_checking: this.data.ssh_strict_host_key_checking,
          ssh_connect_timeout: this.data.ssh_connect_timeout,
          ssh_key: this.data.ssh_key,
          ssh_key_password: this.data.ssh_key_password,
        };
        if (target.user) explicit.ssh_user = target.user;
        if (target.port) explicit.ssh_port = target.port;
        hops.push(this.#settingsFor(target.host, explicit, config));
      }
    }
    const { Client } = (await import("ssh2")).default;
    let sock: unknown = undefined;
    for (const hop of [...hops, settings]) {
      const client = new Client();
      this.#clients.push(client);
      await this.#open(client, hop, sock);
      if (hop !== settings) {
        const next = hops[hops.indexOf(hop) + 1] ?? settings;
        sock = await new Promise((resolve, reject) =>
          client.forwardOut("127.0.0.1", 0, next.host, next.port, (error, stream) => {
            if (error) {
              reject(
                new ConnectError(
                  `Jump host ${hop.host} could not reach ${next.host}:${next.port}: ${error.message}`,
                ),
              );
            } else resolve(stream);
          })
        );
      }
    }
    const main = this.#clients[this.#clients.length - 1];
    main.on("close", () => this.#markLost("connection lost"));
    main.on("error", (error) => this.#markLost(`connection lost: ${error.message}`));
    if (this.data.ssh_persistent_shell) await this.#startShell().catch(() => {});
  }

  async #open(client: Client, hop: HopSettings, sock: unknown): Promise<void> {
    const { utils } = (await import("ssh2")).default;
    let hostKeyProblem: { message: string; permanent: boolean } | undefined;
    const tried: string[] = [];
    const notes: string[] = [];
    const methods: Record<string, unknown>[] = [];
    for (const path of hop.keys) {
      let text: Uint8Array;
      try {
        text = await Deno.readFile(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) notes.push(`${path}: ${errorMessage(error)}`);
        continue;
      }
      const parsed = utils.parseKey(Buffer.from(text), hop.keyPassword);
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      if (key instanceof Error) {
        notes.push(
          /encrypted|passphrase/i.test(key.message)
            ? `${path}: the key is encrypted and no usable ssh_key_password was given`
            : `${path}: ${key.message}`,
        );
        continue;
      }
      if (/^ecdsa-sha2-nistp(256|384)$/.test(key.type)) {
        const signature = key.sign(Buffer.from("skiff-probe"));
        if (signature instanceof Error || !key.verify(Buffer.from("skiff-probe"), signature)) {
          notes.push(
            `${path}: this ${key.type} key cannot sign under Deno; load it into ssh-agent or use an ed25519 key`,
          );
          continue;
        }
      }
      methods.push({ type: "publickey", username: hop.user, key, label: `publickey (${path})` });
    }
    if (hop.agent) {
      methods.push({ type: "agent", username: hop.user, agent: hop.agent, label: "agent" });
    }
    if (hop.password !== undefined) {
      methods.push({
        type: "password",
        username: hop.user,
        password: hop.password,
        label: "password",
      });
    }
    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      sock: sock as ConnectConfig["sock"],
      readyTimeout: hop.connectTimeout * 1000,
      keepaliveInterval: hop.keepalive * 1000,
      keepaliveCountMax: 3,
      agentForward: hop.forwardAgent && hop.agent !== undefined,
      agent: hop.agent,
      algorithms: { compress: ["none"] },
      authHandler: (_left, _partial, next) => {
        const method = methods.shift();
        if (!method) return next(false as never);
        tried.push(method.label as string);
        next(method as never);
      },
      hostVerifier: (key: Buffer) => {
        const problem = verifyHostKey(hop, new Uint8Array(key));
        if (problem) hostKeyProblem = { message: problem, permanent: true };
        return problem === undefined;
      },
    };
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", (error: Error & { level?: string }) => {
        if (hostKeyProblem) {
          return reject(new ConnectError(hostKeyProblem.message, { permanent: true }));
        }
        if (
          error.level === "client-authentication" ||
          /authentication methods failed/i.test(error.message)
        ) {
          const list = tried.length > 0
            ? tried.join(", ")
            : "none (no key, agent or password was usable)";
          const extra = notes.length > 0 ? `; ${notes.join("; ")}` : "";
          return reject(
            new ConnectError(
              `Authentication failed for ${hop.user}@${hop.host}:${hop.port}: tried ${list}${extra}`,
              { permanent: true },
            ),
          );
        }
        if (/timed out/i.test(error.message)) {
          return reject(
            new ConnectError(
              `Timed out connecting to ${hop.host}:${hop.port} after ${hop.connectTimeout} s`,
            ),
          );
        }
        reject(
          new ConnectError(`Cannot connect to ${hop.host}:${hop.port}: ${error.message}`, {
            cause: error,
          }),
        );
      });
      try {
        client.connect(config);
      } catch (error) {
        reject(
          new ConnectError(`Cannot connect to ${hop.host}:${hop.port}: ${errorMessage(error)}`),
        );
      }
    });
    const socket = (client as unknown as { _sock?: { setNoDelay?: (on: boolean) => void } })._sock;
    socket?.setNoDelay?.(true);
  }

  #markLost(reason: string): void {
    this.#lost ??= reason;
  }

  async #channel(command: string, options: { pty?: boolean } = {}): Promise<ClientChannel> {
    const client = this.#clients[this.#clients.length - 1];
    if (!client || this.#lost) throw new ShellLostError(this.#lost ?? "not connected");
    for (let attempt = 0;; attempt++) {
      try {
        return await new Promise<ClientChannel>((resolve, reject) =>
          client.exec(
            command,
            options.pty ? { pty: true } : {},
            (error, stream) => {
              if (error) return reject(error);
              // Record exit and close at once: they can arrive in the same batch of
              // packets as the channel's opening, before an awaiting caller listens.
              this.#outcomes.set(stream, recordOutcome(stream));
              resolve(stream);
            },
          )
        );
      } catch (error) {
        if (attempt < 5 && /open failed|channel/i.test(errorMessage(error))) {
          await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
          continue;
        }
        throw error;
      }
    }
  }

  async #startShell(): Promise<void> {
    const release = await this.#slots.take();
    // `exec` makes the shell the session leader, so its process group holds
    // every command it runs: killing the group ends an interrupted command.
    const stream = await this.#channel("exec sh").catch((error) => {
      release();
      throw error;
    });
    stream.on("close", release);
    this.#shell = new PersistentShell({
      stdin: webWritable(stream),
      stdout: webReadable(stream),
      stderr: webReadable(stream.stderr),
    }, {
      onInterrupt: (pid) => {
        if (pid !== undefined) void this.#killRemote(pid);
        stream.close();
      },
    });
  }

  override async runShellCommand(
    command: Command | string,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    const { connector, command: commandArgs } = extractControlArguments(options);
    const codes = connector._success_exit_codes ?? [0];
    let result: CommandResult;
    if (this.#lost) return lostResult(this.#lost);
    const simple = connector._stdin === undefined && !connector._get_pty &&
      connector._timeout === undefined;
    if (simple && this.#shell && !this.#shell.dead) {
      const outcome = await runInShell(this.#shell, command, commandArgs, options, codes);
      if (!outcome) {
        this.#markLost("connection lost");
        return lostResult("connection lost");
      }
      result = outcome;
    } else {
      const exec = makeUnixCommand(command, commandArgs).renderForExec();
      result = await this.#execChannel(exec.text, exec.secretEnv, connector, options, codes);
    }
    return await this.#answerSudoPassword(result, command, options);
  }

  async #answerSudoPassword(
    result: CommandResult,
    command: Command | string,
    options: RunOptions,
  ): Promise<CommandResult> {
    if (result.success || !options._sudo || options._sudo_password !== undefined) return result;
    if (!/sudo: (a password is required|\d+ incorrect password)/.test(result.output.stderr)) {
      return result;
    }
    const prompt = this.context.prompt;
    if (!prompt) {
      return {
        ...result,
        error:
          `sudo on ${this.host.name} needs a password: set _sudo_password (secret) or add a NOPASSWD rule`,
      };
    }
    const answer = await prompt(`[${this.host.name}] sudo password: `, { secret: true });
    if (!answer) return result;
    return await this.runShellCommand(command, {
      ...options,
      _sudo_password: new SecretValue(answer),
    });
  }

  async #execChannel(
    text: string,
    secretEnv: Readonly<Record<string, string>>,
    connector: ReturnType<typeof extractControlArguments>["connector"],
    options: RunOptions,
    codes: readonly number[],
  ): Promise<CommandResult> {
    const { prelude, input: secretInput } = secretsOnStdin(secretEnv);
    const track = connector._timeout !== undefined || options.signal !== undefined;
    const full = `${track ? `echo ${PID_MARK}$$ >&2; ` : ""}${prelude}${text}`;
    const release = await this.#slots.take();
    let stream: ClientChannel;
    try {
      stream = await this.#channel(full, { pty: connector._get_pty });
    } catch (error) {
      release();
      if (error instanceof ShellLostError) return lostResult(error.message);
      throw error;
    }
    const lines: OutputLine[] = [];
    let remotePid: number | undefined;
    const sink = (line: OutputLine) => {
      if (line.stream === "stderr" && remotePid === undefined && line.line.startsWith(PID_MARK)) {
        remotePid = Number(line.line.slice(PID_MARK.length));
        return;
      }
      lines.push(line);
      options.onOutput?.(line);
    };
    const out = new LineSplitter((line) => {
      if (remotePid === undefined && line.startsWith(PID_MARK)) {
        remotePid = Number(line.slice(PID_MARK.length)); // with a pty, stderr arrives on stdout
        return;
      }
      sink({ stream: "stdout", line });
    });
    const err = new LineSplitter((line) => sink({ stream: "stderr", line }));
    let timedOut = false;
    let aborted = false;
    const kill = () => {
      if (remotePid !== undefined) void this.#killRemote(remotePid);
      stream.close();
    };
    const timer = connector._timeout !== undefined
      ? setTimeout(() => {
        timedOut = true;
        kill();
      }, connector._timeout * 1000)
      : undefined;
    const onAbort = () => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener("abort", onAbort);
    const closed = this.#outcomes.get(stream)!.closed;
    stream.on("data", (chunk: Uint8Array) => out.push(chunk));
    stream.stderr.on("data", (chunk: Uint8Array) => err.push(chunk));
    const input: Uint8Array[] = secretInput.length > 0 ? [secretInput] : [];
    if (connector._stdin !== undefined) input.push(stdinBytes(connector._stdin));
    for (const chunk of input) stream.write(chunk);
    stream.end();
    try {
      const exit = await closed;
      out.flush();
      err.flush();
      const output = new CommandOutput(lines);
      if (timedOut || aborted) {
        return {
          success: false,
          exitCode: null,
          timedOut,
          error: timedOut ? "timed out" : "interrupted",
          output,
        };
      }
      if (exit.code === undefined) {
        if (exit.signal) {
          return {
            success: false,
            exitCode: null,
            signal: exit.signal,
            error: `killed by ${exit.signal}`,
            output,
          };
        }
        this.#markLost("connection lost");
        return { success: false, exitCode: null, error: "connection lost", output };
      }
      return { success: codes.includes(exit.code), exitCode: exit.code, output };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      release();
    }
  }

  async #killRemote(pid: number): Promise<void> {
    try {
      const release = await this.#slots.take();
      try {
        const stream = await this.#channel(
          `kill -KILL -${pid} 2>/dev/null || kill -KILL ${pid} 2>/dev/null; true`,
        );
        await new Promise<void>((resolve) => {
          stream.on("close", () => resolve());
          stream.resume();
          stream.stderr.resume();
          stream.end();
        });
      } finally {
        release();
      }
    } catch {
      // The connection is gone: the server ends the session's processes itself.
    }
  }

  #sftpClient(): Promise<SFTPWrapper> {
    const client = this.#clients[this.#clients.length - 1];
    this.#sftp ??= new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((error, sftp) => error ? reject(error) : resolve(sftp))
    );
    this.#sftp.catch(() => (this.#sftp = undefined));
    return this.#sftp;
  }

  /** The SFTP session, or undefined when scp was asked for or the server has no SFTP subsystem. */
  async #sftpOrNone(): Promise<SFTPWrapper | undefined> {
    if (this.data.ssh_file_transfer_protocol === "scp") return undefined;
    return await this.#sftpClient().catch(() => undefined);
  }

  override async putFile(
    source: FileSource,
    remotePath: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    if (this.#lost) throw new Error(`Cannot upload to ${this.host.name}: ${this.#lost}`);
    const bytes = typeof source === "string"
      ? (await Deno.open(source)).readable
      : sourceStream(source);
    if (isPrivileged(options)) {
      const staging = `/tmp/.skiff-put-${crypto.randomUUID()}`;
      try {
        await this.#upload(bytes, staging, "600", options);
        const temp = tempName(remotePath);
        const chmod = options.mode !== undefined ? sh` && chmod ${options.mode} ${temp}` : sh``;
        const move =
          sh`cp ${staging} ${temp}${chmod} && mv -f ${temp} ${remotePath} || { rm -f ${temp}; exit 1; }`;
        const result = await this.runShellCommand(move, options);
        if (!result.success) {
          throw new Error(
            `Could not move the upload into "${remotePath}" on ${this.host.name}: ${result.output.stderr}`,
          );
        }
      } finally {
        await this.runShellCommand(sh`rm -f ${staging}`).catch(() => {});
      }
      return true;
    }
    const temp = tempName(remotePath);
    try {
      await this.#upload(bytes, temp, options.mode, options);
      await this.#rename(temp, remotePath);
      return true;
    } catch (error) {
      await this.#remove(temp);
      throw error;
    }
  }

  async #upload(
    bytes: ReadableStream<Uint8Array>,
    path: string,
    mode: string | undefined,
    options: ControlArguments,
  ): Promise<void> {
    const sftp = await this.#sftpOrNone();
    if (!sftp) {
      const command = mode !== undefined
        ? sh`umask 077 && cat > ${path} && chmod ${mode} ${path}`
        : sh`cat > ${path}`;
      const chunks: Uint8Array[] = [];
      for await (const chunk of bytes) chunks.push(chunk);
      const result = await this.runShellCommand(command, {
        _stdin: concat(chunks),
        _timeout: options._timeout,
      });
      if (!result.success) {
        throw new Error(`Upload to ${path} failed: ${result.output.stderr || result.error}`);
      }
      return;
    }
    const write = sftp.createWriteStream(path, {
      mode: mode !== undefined ? parseInt(mode, 8) : 0o644,
    });
    const finished = new Promise<void>((resolve, reject) => {
      write.on("close", () => resolve());
      write.on("error", reject);
    });
    await bytes.pipeTo(webWritable(write));
    await finished;
    if (mode !== undefined) {
      await new Promise<void>((resolve, reject) =>
        sftp.chmod(path, parseInt(mode, 8), (error) => error ? reject(error) : resolve())
      );
    }
  }

  async #rename(from: string, to: string): Promise<void> {
    const sftp = await this.#sftpOrNone();
    if (sftp) {
      await new Promise<void>((resolve, reject) =>
        sftp.ext_openssh_rename(from, to, (error) => error ? reject(error) : resolve())
      );
      return;
    }
    const result = await this.runShellCommand(sh`mv -f ${from} ${to}`);
    if (!result.success) throw new Error(`Could not rename ${from}: ${result.output.stderr}`);
  }

  async #remove(path: string): Promise<void> {
    if (this.#lost) return;
    await this.runShellCommand(sh`rm -f ${path}`).catch(() => {});
  }

  override async getFile(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments = {},
  ): Promise<boolean> {
    if (this.#lost) throw new Error(`Cannot download from ${this.host.name}: ${this.#lost}`);
    const sftp = isPrivileged(options) ? undefined : await this.#sftpOrNone();
    if (!sftp) {
      return await downloadTo(destination, async (sink) => {
        const { connector, command: commandArgs } = extractControlArguments(options);
        const exec = makeUnixCommand(sh`cat ${remotePath}`, commandArgs).renderForExec();
        await this.#catChannel(exec.text, exec.secretEnv, sink, connector._timeout);
      });
    }
    if (typeof destination === "string") {
      // Parallel reads (fastGet) into a temporary file beside the destination, then rename.
      const temp = tempName(destination);
      try {
        await new Promise<void>((resolve, reject) =>
          sftp.fastGet(
            remotePath,
            temp,
            { concurrency: 16, chunkSize: 32768 },
            (error) => error ? reject(error) : resolve(),
          )
        );
        await Deno.rename(temp, destination);
        return true;
      } catch (error) {
        await Deno.remove(temp).catch(() => {});
        throw error;
      }
    }
    return await downloadTo(destination, async (sink) => {
      const read = sftp.createReadStream(remotePath);
      await webReadable(read).pipeTo(sink);
    });
  }

  async #catChannel(
    text: string,
    secretEnv: Readonly<Record<string, string>>,
    sink: WritableStream<Uint8Array>,
    timeout?: number,
  ): Promise<void> {
    const { prelude, input: secretInput } = secretsOnStdin(secretEnv);
    const release = await this.#slots.take();
    try {
      const stream = await this.#channel(`${prelude}${text}`);
      const stderr: Uint8Array[] = [];
      stream.stderr.on("data", (chunk: Uint8Array) => stderr.push(chunk));
      if (secretInput.length > 0) stream.write(secretInput);
      stream.end();
      const timer = timeout !== undefined
        ? setTimeout(() => stream.close(), timeout * 1000)
        : undefined;
      let code: number | undefined;
      try {
        await webReadable(stream).pipeTo(sink);
        // The exit status can arrive after the end of the data.
        code = (await this.#outcomes.get(stream)!.closed).code;
      } finally {
        clearTimeout(timer);
      }
      if (code !== 0) {
        throw new Error(
          `Could not read from ${this.host.name}: ${
            new TextDecoder().decode(concat(stderr)).trim() || `exit code ${code}`
          }`,
        );
      }
    } finally {
      release();
    }
  }

  override async checkCanRsync(): Promise<void> {
    const local = await this.context.runProcess(["sh", "-c", "command -v rsync"]);
    if (local.exitCode !== 0) throw new Error("rsync is not installed on this machine");
    if (this.data.ssh_password !== undefined && this.data.ssh_key === undefined) {
      throw new Error("rsync needs key-based authentication: this host uses a password");
    }
  }

  /** The `ssh` command rsync uses, honouring port, key, known_hosts and jump hosts. */
  rsyncShell(): string {
    const s = this.#settings;
    if (!s) throw new Error(`${this.host.name} is not connected`);
    const parts = [
      "ssh",
      "-p",
      String(s.port),
      "-o",
      "BatchMode=yes",
      "-o",
      `UserKnownHostsFile=${s.knownHosts[0]}`,
    ];
    parts.push("-o", `StrictHostKeyChecking=${s.strict}`);
    if (typeof this.data.ssh_key === "string") parts.push("-i", this.data.ssh_key as string);
    if (typeof this.data.ssh_config_file === "string") {
      parts.push("-F", this.data.ssh_config_file as string);
    }
    if (typeof this.data.ssh_proxy_jump === "string") {
      parts.push("-J", this.data.ssh_proxy_jump as string);
    }
    return parts.map(quote).join(" ");
  }

  override async rsync(
    source: string,
    destination: string,
    flags: readonly string[],
    options: RunOptions = {},
  ): Promise<boolean> {
    await this.checkCanRsync();
    const s = this.#settings!;
    const remote = `${s.user}@${s.host.includes(":") ? `[${s.host}]` : s.host}:${destination}`;
    const result = await this.context.runProcess([
      "rsync",
      "-e",
      this.rsyncShell(),
      ...flags,
      source,
      remote,
    ], {
      onOutput: options.onOutput,
      timeout: options._timeout,
    });
    return result.exitCode === 0;
  }

  #closeClients(): void {
    for (const client of this.#clients.reverse()) {
      try {
        client.end();
      } catch {
        // Already closed.
      }
    }
    this.#clients = [];
    this.#sftp = undefined;
  }

  override async disconnect(): Promise<void> {
    const shell = this.#shell;
    this.#shell = undefined;
    if (shell && !shell.dead) {
      await Promise.race([
        shell.close(),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
    }
    this.#closeClients();
  }
}

/**
 * Checks a host key against known_hosts under the hop's policy, recording a
 * new key under accept-new. Returns why it is refused, or undefined.
 */
function verifyHostKey(hop: HopSettings, blob: Uint8Array): string | undefined {
  const target = where(hop);
  let check;
  try {
    check = checkHostKey(hop.knownHosts, hop.host, hop.port, blob);
  } catch (error) {
    return `Cannot verify ${target}: ${errorMessage(error)}`;
  }
  switch (check.status) {
    case "known":
      return undefined;
    case "unknown":
      if (hop.strict === "yes") {
        return `Host key of ${target} is not in ${
          hop.knownHosts[0]
        } and ssh_strict_host_key_checking is yes: ` +
          `its fingerprint is ${fingerprint(blob)}`;
      }
      if (hop.strict === "accept-new") {
        try {
          appendKnownHost(hop.knownHosts[0], hop.host, hop.port, blob);
        } catch (error) {
          return `Cannot record the host key of ${target} in ${hop.knownHosts[0]}: ${
            errorMessage(error)
          }`;
        }
      }
      return undefined;
    case "changed":
      return `Host key of ${target} has CHANGED: the server offers ${fingerprint(blob)} but ` +
        `${check.file}:${check.line} expects ${check.expectedFingerprint}. If the change is expected, ` +
        `remove line ${check.line} of ${check.file}`;
    case "revoked":
      return `Host key of ${target} is revoked in ${check.file}:${check.line}`;
    case "unsupported":
      return `Cannot verify ${target}: ${check.reason} (${check.file}:${check.line})`;
  }
}

function where(hop: HopSettings): string {
  return `${hop.host}:${hop.port}`;
}

function lostResult(reason: string): CommandResult {
  return { success: false, exitCode: null, error: reason, output: new CommandOutput([]) };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
