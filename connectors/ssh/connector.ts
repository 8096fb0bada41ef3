/**
 * The `@ssh` connector on `npm:ssh2`: one connection per host for the whole
 * run, a persistent shell for ordinary commands, channels for commands with
 * stdin, a pty or a timeout, SFTP for files. Honours `~/.ssh/config`
 * (explicit host data wins; built-in defaults never override the config),
 * verifies host keys against known_hosts, and never puts a secret in argv.
 *
 * The parts live beside this file: `target.ts` (names), `settings.ts` (data
 * keys and the resolve), `auth.ts` (login), `host_keys.ts` (known_hosts),
 * `channels.ts`, `shell.ts`, `transfer.ts` and `rsync.ts`.
 *
 * @module
 */

import type { Client } from "ssh2";
import type { ControlArguments } from "../../lib/core/arguments.ts";
import { type Command, SecretValue } from "../../lib/core/command.ts";
import { ConnectError, errorMessage, InputError } from "../../lib/core/errors.ts";
import type { PersistentShell } from "../_persistent_shell.ts";
import {
  BaseConnector,
  type BatchOptions,
  type CommandResult,
  type DataMeta,
  type FileDestination,
  type FileSource,
  type NameData,
  type PutOptions,
  type RunOptions,
} from "../base.ts";
import { type ByteStreams, requireLocalRsync } from "../_shared.ts";
import { KEEPALIVE_COUNT, type KeyPassphrases, openHop } from "./auth.ts";
import { SshChannels } from "./channels.ts";
import { rsyncArgv, type RsyncOptions, rsyncShell } from "./rsync.ts";
import {
  type HopSettings,
  resolveSettings,
  SSH_DATA_META,
  type SshEnvironment,
} from "./settings.ts";
import {
  type FirstCommand,
  inShell,
  runSshBatch,
  runSshCommand,
  shellOutcome,
  startShell,
  SUDO_ASKS,
} from "./shell.ts";
import { SshConfig } from "./ssh_config.ts";
import { parseSshTarget } from "./target.ts";
import { SshTransfer } from "./transfer.ts";

export type { HopSettings } from "./settings.ts";

/** Runs commands and moves files over SSH. */
export class SshConnector extends BaseConnector {
  static override connectorName = "ssh";
  static override handlesExecution = true;
  static override description = "A host reached over SSH (ssh2, honouring ~/.ssh/config)";
  static override dataMeta: Readonly<Record<string, DataMeta>> = SSH_DATA_META;

  readonly #channels = new SshChannels(this.data.ssh_max_channels);
  readonly #transfer = new SshTransfer({
    hostName: this.host.name,
    protocol: this.data.ssh_file_transfer_protocol as string,
    channels: this.#channels,
    run: (command, options) => this.runShellCommand(command, options),
    removeOnDrop: (path) =>
      this.#shell && !this.#shell.dead ? this.#shell.removeOnExit(path) : () => {},
    tempName: this.context.tempName,
  });
  #clients: Client[] = [];
  #shell?: PersistentShell;
  #settings?: HopSettings;
  /** Key passphrases typed once for this host (its retries and jump hosts use them again). */
  readonly #passphrases: KeyPassphrases = {
    known: new Map(),
    ask: this.context.prompt &&
      ((path) =>
        this.context.prompt!(`[${this.host.name}] passphrase for key ${path}: `, { secret: true })),
  };

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

  /** Connects (through the jump hosts, if any), retrying as `ssh_connect_retries` allows. */
  override connect(): Promise<void> {
    return this.#connect();
  }

  /**
   * Connects with `first` run by the persistent shell's own start, so its
   * answer arrives with the shell's and costs no round trip of its own.
   * Without a persistent shell, or for a command that needs a channel of
   * its own or carries secrets (the start's script is argv on the host), it
   * connects and then runs it.
   */
  override async connectWith(
    first: Command | string,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    const script = inShell(first, options);
    if (!this.data.ssh_persistent_shell || !script || Object.keys(script.secretEnv!).length > 0) {
      return await super.connectWith(first, options);
    }
    await this.#connect(script);
    const started = this.#shell?.firstResult;
    // No shell could be started: run it on a channel.
    if (!started) return await this.runShellCommand(first, options);
    return await shellOutcome(started, script.codes, this.#channels);
  }

  /**
   * Sends `last` with the end of the persistent shell's input (no round
   * trip of its own), waits for its answer and the shell's end, then
   * disconnects. Without a live shell it runs it on a channel first.
   */
  override async disconnectWith(
    last: Command | string,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    const shell = this.#shell;
    const script = inShell(last, options);
    if (!shell || shell.dead || !script || this.#channels.lost) {
      return await super.disconnectWith(last, options);
    }
    this.#shell = undefined;
    try {
      return await shellOutcome(
        shell.closeAfter(script.text, script),
        script.codes,
        this.#channels,
      );
    } finally {
      await this.disconnect();
    }
  }

  async #connect(first?: FirstCommand): Promise<void> {
    const retries = this.data.ssh_connect_retries as number;
    const min = this.data.ssh_connect_retry_min_delay as number;
    const max = Math.max(min, this.data.ssh_connect_retry_max_delay as number);
    for (let attempt = 0;; attempt++) {
      try {
        await this.#connectOnce(first);
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

  async #connectOnce(first?: FirstCommand): Promise<void> {
    const environment = localEnvironment();
    const configFile = (this.data.ssh_config_file as string | undefined) ??
      `${environment.home}/.ssh/config`;
    const config = await SshConfig.load(configFile, environment.home);
    const alias = (this.data.ssh_hostname as string | undefined) ??
      this.host.name.replace(/^@ssh\//, "");
    const { main, jumps } = resolveSettings(alias, { data: this.data, config, environment });
    this.#settings = main;
    const { Client } = (await import("ssh2")).default;
    const hops = [...jumps, main];
    let sock: unknown = undefined;
    for (const [index, hop] of hops.entries()) {
      const client = new Client();
      this.#clients.push(client);
      await openHop(client, hop, { sock, passphrases: this.#passphrases });
      const next = hops[index + 1];
      if (next) sock = await forward(client, { from: hop, to: next });
    }
    const last = this.#clients[this.#clients.length - 1];
    this.#channels.attach(last);
    last.on("close", () => this.#channels.markLost("connection lost"));
    last.on("error", (error) => this.#channels.markLost(lostReason(error, main)));
    if (this.data.ssh_persistent_shell) {
      this.#shell = await startShell(this.#channels, first).catch(() => undefined);
    }
  }

  /** Runs a command in the persistent shell or on a channel; asks for a sudo password if needed. */
  override async runShellCommand(
    command: Command | string,
    options: RunOptions & ByteStreams = {},
  ): Promise<CommandResult> {
    const result = await runSshCommand(command, {
      ...options,
      channels: this.#channels,
      shell: this.#shell,
    });
    return await this.#answerSudoPassword(result, command, options);
  }

  /** Sends the whole batch to the persistent shell at once when it can ({@linkcode runSshBatch}). */
  override runShellCommands(
    commands: readonly (Command | string)[],
    options: RunOptions,
    batch: BatchOptions,
  ): Promise<CommandResult[]> {
    const target = { ...options, channels: this.#channels, shell: this.#shell, batch };
    return runSshBatch(
      commands,
      target,
      (rest, each) => super.runShellCommands(rest, options, each),
    );
  }

  async #answerSudoPassword(
    result: CommandResult,
    command: Command | string,
    options: RunOptions,
  ): Promise<CommandResult> {
    if (result.success || !options._sudo || options._sudo_password !== undefined) return result;
    if (!SUDO_ASKS.test(result.output.stderr)) {
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

  /** Uploads with SFTP (or `cat`), to a temporary name renamed into place; privileged ones staged in /tmp. */
  override async putFile(
    source: FileSource,
    remotePath: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    return await this.#transfer.put(source, remotePath, options);
  }

  /** Downloads with SFTP, or with `cat` on a channel when privileged or without SFTP. */
  override async getFile(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments = {},
  ): Promise<boolean> {
    return await this.#transfer.get(remotePath, destination, options);
  }

  /** Throws when rsync is not installed here or the host logs in by password only. */
  override async checkCanRsync(): Promise<void> {
    await requireLocalRsync(this.context.runProcess);
    if (this.data.ssh_password !== undefined && this.data.ssh_key === undefined) {
      throw new Error("rsync needs key-based authentication: this host uses a password");
    }
  }

  #rsyncOptions(): RsyncOptions {
    const settings = this.#settings;
    if (!settings) throw new Error(`${this.host.name} is not connected`);
    const text = (value: unknown) => typeof value === "string" ? value : undefined;
    return {
      settings,
      key: text(this.data.ssh_key),
      configFile: text(this.data.ssh_config_file),
      proxyJump: text(this.data.ssh_proxy_jump),
    };
  }

  /** The `ssh` command rsync uses, honouring port, key, known_hosts and jump hosts. */
  rsyncShell(): string {
    return rsyncShell(this.#rsyncOptions());
  }

  /** Copies a local `source` to `destination` on the host with rsync over ssh. */
  override async rsync(
    source: string,
    destination: string,
    flags: readonly string[],
    options: RunOptions = {},
  ): Promise<boolean> {
    await this.checkCanRsync();
    const argv = rsyncArgv(source, destination, { ...this.#rsyncOptions(), flags });
    const result = await this.context.runProcess(argv, {
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
    this.#channels.attach(undefined);
    this.#transfer.reset();
  }

  /**
   * Closes the persistent shell (waiting at most a second while a command
   * still runs in it; an idle one's end travels with the disconnect, a
   * round trip less), lets the kills of interrupted commands run (at most
   * two seconds), then closes the connection.
   */
  override async disconnect(): Promise<void> {
    const shell = this.#shell;
    this.#shell = undefined;
    if (shell && !shell.dead) {
      const closed = shell.close();
      if (shell.busy) await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#channels.killsDone(),
      new Promise((r) => timer = setTimeout(r, 2000)),
    ]);
    clearTimeout(timer);
    this.#closeClients();
  }
}

/**
 * Why a connection that was up ended, from the error ssh2 reports: its
 * keepalive timeout says how many keepalives went unanswered.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { lostReason } from "./connector.ts";
 * const timeout = Object.assign(new Error("Keepalive timeout"), { level: "client-timeout" });
 * strictEqual(
 *   lostReason(timeout, { keepalive: 1 }),
 *   "connection lost: no answer to 3 keepalives sent 1 s apart (ssh_keepalive_interval)",
 * );
 * strictEqual(lostReason(new Error("read ECONNRESET"), { keepalive: 1 }), "connection lost: read ECONNRESET");
 * ```
 */
export function lostReason(
  error: Error & { level?: string },
  hop: Pick<HopSettings, "keepalive">,
): string {
  if (error.level === "client-timeout" && /keepalive/i.test(error.message)) {
    return `connection lost: no answer to ${KEEPALIVE_COUNT} keepalives sent ${hop.keepalive} s apart (ssh_keepalive_interval)`;
  }
  return `connection lost: ${error.message}`;
}

/** Home, user and agent socket of the machine skiff runs on. */
function localEnvironment(): SshEnvironment {
  return {
    home: Deno.env.get("HOME") ?? "/root",
    localUser: Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? "root",
    agentSocket: Deno.env.get("SSH_AUTH_SOCK"),
  };
}

/** A stream through `client` (the hop `from`) to the next hop. */
function forward(client: Client, hops: { from: HopSettings; to: HopSettings }): Promise<unknown> {
  const { from, to } = hops;
  return new Promise((resolve, reject) =>
    client.forwardOut("127.0.0.1", 0, to.host, to.port, (error, stream) => {
      if (error) {
        reject(
          new ConnectError(
            `Jump host ${from.host} could not reach ${to.host}:${to.port}: ${error.message}`,
          ),
        );
      } else resolve(stream);
    })
  );
}
