/**
 * `@dockerssh/HOST:CONTAINER`: a container on a remote host reached over
 * SSH. Composition, not copy: an {@linkcode SshConnector} to the host, and a
 * {@linkcode DockerConnector} whose process runner runs the docker CLI on
 * that host through the SSH connection.
 *
 * @module
 */

import type { ControlArguments } from "../lib/core/arguments.ts";
import { Command, quote, raw, secret, sh } from "../lib/core/command.ts";
import { InputError } from "../lib/core/errors.ts";
import type { ProcessRunner } from "../lib/process.ts";
import { stagedUpload } from "./_staged_upload.ts";
import {
  BaseConnector,
  type CommandResult,
  type ConnectorContext,
  type DataMeta,
  type FileDestination,
  type FileSource,
  type HostInfo,
  type NameData,
  type PutOptions,
  type RunOptions,
} from "./base.ts";
import { DockerConnector } from "./docker.ts";
import { SshConnector } from "./ssh/connector.ts";
import { parseSshTarget } from "./ssh/target.ts";

/**
 * A process runner that runs argv on the SSH host (secrets from `env` stay
 * out of argv); a stdin stream and raw stdout are streamed over the channel.
 */
export function remoteRunner(ssh: SshConnector, sudo: boolean): ProcessRunner {
  return async (argv, options = {}) => {
    const assignments = Object.entries(options.env ?? {}).map(([name, value]) =>
      sh`${raw(name)}=${secret(value)} `
    );
    const command = Command.join([...assignments, Command.of(argv.map(quote).join(" "))], "");
    const { stdin } = options;
    const streamed = stdin instanceof ReadableStream ? stdin : undefined;
    const result = await ssh.runShellCommand(command, {
      _sudo: sudo,
      _stdin: stdin instanceof ReadableStream ? undefined : stdin,
      // Once: a command run again (after a sudo password) gets what is left of it.
      openStdin: streamed ? () => streamed : undefined,
      stdoutBytes: options.stdoutBytes,
      _timeout: options.timeout,
      onOutput: options.onOutput,
      outputLimit: options.outputLimit,
      signal: options.signal,
      _success_exit_codes: Array.from({ length: 256 }, (_, code) => code),
    });
    return {
      exitCode: result.exitCode,
      signal: result.signal ?? null,
      timedOut: result.timedOut ?? false,
      aborted: result.error === "interrupted",
      output: result.output,
    };
  };
}

/** A container on a remote host, through SSH. */
export class DockerSshConnector extends BaseConnector {
  static override connectorName = "dockerssh";
  static override description =
    "A container on a remote host reached over SSH (@dockerssh/HOST:CONTAINER)";
  static override dataMeta: Readonly<Record<string, DataMeta>> = {
    ...SshConnector.dataMeta,
    ...DockerConnector.dataMeta,
    dockerssh_sudo: {
      description: "Run the docker CLI with sudo on the remote host",
      type: "boolean",
      default: false,
    },
  };

  readonly #ssh: SshConnector;
  readonly #docker: DockerConnector;

  /** `host:container` (the host part may be `user@host:port`, the container after the last `:`). */
  static *makeNamesData(arg: string | undefined): Iterable<NameData> {
    const index = arg?.lastIndexOf(":") ?? -1;
    if (!arg || index <= 0 || index === arg.length - 1) {
      throw new InputError(`@dockerssh needs HOST:CONTAINER, got "@dockerssh/${arg ?? ""}"`);
    }
    const target = parseSshTarget(arg.slice(0, index));
    const data: Record<string, unknown> = {
      ssh_hostname: target.host,
      docker_identifier: arg.slice(index + 1),
    };
    if (target.user) data.ssh_user = target.user;
    if (target.port) data.ssh_port = target.port;
    yield { name: `@dockerssh/${arg}`, data, groups: ["@dockerssh"] };
  }

  /** Builds the SSH and docker halves for one host. */
  constructor(host: HostInfo, context: ConnectorContext) {
    super(host, context);
    this.#ssh = new SshConnector(host, context);
    this.#docker = new DockerConnector(host, {
      ...context,
      runProcess: remoteRunner(this.#ssh, Boolean(this.data.dockerssh_sudo)),
    });
  }

  override async connect(): Promise<void> {
    await this.#ssh.connect();
    try {
      await this.#docker.connect();
    } catch (error) {
      await this.#ssh.disconnect();
      throw error;
    }
  }

  override async disconnect(): Promise<void> {
    try {
      await this.#docker.disconnect();
    } finally {
      await this.#ssh.disconnect();
    }
  }

  override runShellCommand(
    command: Command | string,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    return this.#docker.runShellCommand(command, options);
  }

  /**
   * Streams the bytes from disk into a private temporary file in the
   * container (through `docker exec -i` over the SSH channel), then renames
   * (see `stagedMoveCommand`).
   */
  override async putFile(
    source: FileSource,
    remotePath: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    return await stagedUpload(source, remotePath, {
      put: options,
      run: (command, options) => this.#docker.runShellCommand(command, options),
      where: ` in ${this.host.name}`,
      tempName: this.context.tempName,
      // `docker exec -i` may drop the reason of a refusal made before stdin was read.
      drainOnRefusal: true,
    });
  }

  /** Streams the file out of the container with `cat` (raw bytes over the SSH channel). */
  override async getFile(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments = {},
  ): Promise<boolean> {
    return await this.#docker.getFile(remotePath, destination, options);
  }
}
