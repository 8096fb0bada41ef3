/**
 * The `@docker` and `@podman` connectors: run commands in a container through
 * the engine's CLI.
 *
 * `@docker/NAME` uses an existing, running container by name or id and never
 * stops, commits or removes it. When no container has that name, `NAME` is
 * taken as an image: a throwaway container is started from it at connect
 * (`run -d --init … --entrypoint sleep IMAGE infinity`) and removed at
 * disconnect, unless `docker_keep` keeps it or `docker_commit` commits it first.
 *
 * `_get_pty` adds `-t` (stdout and stderr then arrive merged on stdout; the
 * Docker CLI may refuse `-t` when skiff itself has no terminal). A `_timeout`
 * or an abort kills the command's process group inside the container; if it
 * fires before the command has reported its PID (a few milliseconds after
 * start), only the local CLI is killed.
 *
 * `@podman` is the same connector with `podman` as its CLI. It shares the
 * `docker_` data keys (`docker_user`, `docker_network`, …), so a host can move
 * between engines by changing only its target name or `docker_cli`.
 *
 * @module
 */

import { type ControlArguments, extractControlArguments } from "../lib/core/arguments.ts";
import { type Command, SecretValue, sh } from "../lib/core/command.ts";
import { InputError, OperationError } from "../lib/core/errors.ts";
import { CommandOutput, type OutputLine } from "../lib/core/output.ts";
import type { ProcessRunner } from "../lib/process.ts";
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
import { type ByteStreams, renderUnderSh } from "./_shared.ts";
import { type ExecProcess, getFileThroughExec, runThroughExec } from "./_exec_process.ts";
import { stagedUpload, stageLocally } from "./_staged_upload.ts";
import {
  closeContainer,
  type Container,
  type ContainerOptions,
  engineRunner,
  lastLine,
  openContainer,
  randomHex,
} from "./_docker_container.ts";
import { dockerCopyInArgv, dockerExecArgv, dockerKillArgv } from "./docker_argv.ts";

/** The data keys of `@docker` and `@podman`, with `cli` as the default of `docker_cli`. */
export function dockerDataMeta(cli: string): Readonly<Record<string, DataMeta>> {
  return {
    docker_identifier: {
      description: "Container name or id to use, or an image to start a throwaway container from",
      type: "string",
    },
    docker_cli: { description: "The engine's CLI, by name or path", type: "string", default: cli },
    docker_user: {
      description: "User that runs commands in the container (exec -u)",
      type: "string",
    },
    docker_env: {
      description: "Environment for every command; secret values travel outside argv",
      type: "string-map",
      default: {},
    },
    docker_platform: {
      description: "Platform of a throwaway container (run --platform)",
      type: "string",
    },
    docker_network: {
      description:
        "Network of a throwaway container (run --network); absent = the engine's default",
      type: "string",
    },
    docker_run_args: {
      description: "Extra arguments for starting a throwaway container (-v, --cap-add, …)",
      type: "string[]",
      default: [],
    },
    docker_keep: {
      description: "Leave a throwaway container running at disconnect instead of removing it",
      type: "boolean",
      default: false,
    },
    docker_commit: {
      description: "Commit a throwaway container as this image tag at disconnect",
      type: "string",
    },
  };
}

const MARKER_LINE = /^(skiff-pid-[0-9a-f]+):([0-9]+)$/;

/** Runs commands in a container with `docker exec`, starting a throwaway container when asked. */
export class DockerConnector extends BaseConnector {
  static override connectorName = "docker";
  static override handlesExecution = true;
  static override dataMeta: Readonly<Record<string, DataMeta>> = dockerDataMeta("docker");
  static override description = "A container (by name or id), or a throwaway one from an image";

  #target: Container | undefined;

  /** `@docker/NAME` yields one host in the `@docker` group with `docker_identifier: NAME`. */
  static *makeNamesData(arg: string | undefined): Iterable<NameData> {
    const name = (this as unknown as { connectorName: string }).connectorName;
    if (arg === undefined || arg === "") {
      throw new InputError(`@${name} needs a container or image: "@${name}/NAME"`);
    }
    yield { name: `@${name}/${arg}`, data: { docker_identifier: arg }, groups: [`@${name}`] };
  }

  get #cli(): string {
    return this.data.docker_cli as string;
  }

  /** The id of the container in use, once connected. */
  get containerId(): string | undefined {
    return this.#target?.id;
  }

  /** True when the container was started by this connector from an image. */
  get isThrowaway(): boolean {
    return this.#target?.throwaway ?? false;
  }

  /** Runs the engine's CLI; a CLI that is not installed is a permanent ConnectError. */
  get #run(): ProcessRunner {
    return engineRunner(this.context.runProcess, this.#cli);
  }

  get #containerOptions(): ContainerOptions {
    return { cli: this.#cli, run: this.#run, hostName: this.host.name, data: this.data };
  }

  /**
   * Finds the container, or starts a throwaway one when the identifier is an
   * image. Throws ConnectError when neither works.
   */
  override async connect(): Promise<void> {
    if (this.#target) return;
    const identifier = this.data.docker_identifier as string | undefined;
    if (!identifier) {
      throw new InputError(`Host "${this.host.name}": docker_identifier is not set`);
    }
    this.#target = await openContainer(identifier, this.#containerOptions);
  }

  /**
   * Removes a throwaway container (after committing it when `docker_commit`
   * is set; kept when `docker_keep` is true). An existing container is left
   * as it was. Throws only when the commit fails, and then keeps the container.
   */
  override async disconnect(): Promise<void> {
    const target = this.#target;
    this.#target = undefined;
    if (target) await closeContainer(target, this.#containerOptions);
  }

  #requireTarget(): Container {
    if (!this.#target) {
      throw new Error(`Host "${this.host.name}" is not connected: call connect() first`);
    }
    return this.#target;
  }

  /** `docker_env` split into plain `-e K=V` pairs and secrets passed by name. */
  #environment(secretEnv: Readonly<Record<string, string>>): {
    env: Record<string, string>;
    envNames: string[];
    localEnv: Record<string, string>;
  } {
    const env: Record<string, string> = {};
    const localEnv: Record<string, string> = { ...secretEnv };
    const envNames: string[] = [];
    for (const [name, value] of Object.entries(this.data.docker_env as Record<string, unknown>)) {
      if (value instanceof SecretValue) {
        envNames.push(name);
        localEnv[name] = value.reveal();
      } else {
        env[name] = String(value);
      }
    }
    envNames.push(...Object.keys(secretEnv));
    return { env, envNames, localEnv };
  }

  /**
   * Runs the wrapped command in the container. The command reports its PID
   * first (a line the connector removes from the output), so a timeout or an
   * abort kills its process group inside the container, not just the local CLI.
   */
  readonly #exec: ExecProcess = async (command, options) => {
    const target = this.#requireTarget();
    const { connector, command: commandArgs } = extractControlArguments(options);
    const exec = renderUnderSh(command, commandArgs); // `docker exec … sh -c` runs the line
    const { env, envNames, localEnv } = this.#environment(exec.secretEnv);
    const pidMarker = `skiff-pid-${randomHex(8)}`;
    let processGroup: number | undefined;
    const isMarker = (line: OutputLine): boolean => {
      const match = MARKER_LINE.exec(line.line);
      return match !== null && match[1] === pidMarker;
    };
    const onOutput = (line: OutputLine) => {
      if (processGroup === undefined && isMarker(line)) {
        processGroup = Number(MARKER_LINE.exec(line.line)![2]);
        return;
      }
      options.onOutput?.(line);
    };
    const argv = dockerExecArgv(target.id, exec.text, {
      cli: this.#cli,
      user: this.data.docker_user as string | undefined,
      env,
      envNames,
      tty: Boolean(connector._get_pty) && options.stdoutBytes === undefined,
      pidMarker,
    });
    const result = await this.#run(argv, {
      env: localEnv,
      stdin: options.stdin ?? connector._stdin,
      timeout: connector._timeout,
      onOutput,
      outputLimit: options.outputLimit,
      signal: options.signal,
      stdoutBytes: options.stdoutBytes,
    });
    if ((result.timedOut || result.aborted) && processGroup !== undefined) {
      await this.#run(dockerKillArgv(target.id, processGroup, { cli: this.#cli })).catch(() => {});
    } else if (result.timedOut || result.aborted) {
      // Killed before its PID arrived: find the command by its marker and kill its group.
      const sweep = `for f in /proc/[0-9]*/cmdline; do p=\${f#/proc/}; p=\${p%/cmdline}; ` +
        `[ "$p" != "$$" ] && grep -q ${pidMarker} "$f" 2>/dev/null && { kill -9 -$p 2>/dev/null || kill -9 $p; }; done; true`;
      // Twice: a command whose exec was still starting when the CLI died appears a moment later.
      for (const delay of [0, 500]) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        await this.#run(dockerExecArgv(target.id, sweep, { cli: this.#cli, user: "0" })).catch(
          () => {},
        );
      }
    }
    return {
      ...result,
      output: new CommandOutput(result.output.lines.filter((line) => !isMarker(line))),
    };
  };

  /** Runs the command in the container with `exec`, as `docker_user` with `docker_env`. */
  override async runShellCommand(
    command: Command | string,
    options: RunOptions & ByteStreams = {},
  ): Promise<CommandResult> {
    return await runThroughExec(this.#exec, command, options);
  }

  /**
   * Uploads through `docker cp` to a temporary name beside `remotePath`, then
   * moves it into place with a command that honours `_sudo` and friends.
   * Like `docker cp`, the new file is owned by root; `mode` defaults to the
   * mode of the file it replaces, or 644.
   */
  override async putFile(
    source: FileSource,
    remotePath: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    const target = this.#requireTarget();
    const cli = this.#cli;
    return await stagedUpload(source, remotePath, {
      put: options,
      run: (command, options) => this.runShellCommand(command, options),
      tempName: this.context.tempName,
      stage: async (source, temp) => {
        const mode = options.mode !== undefined ? parseInt(options.mode, 8) : 0o644;
        const staging = await stageLocally(source, mode);
        try {
          const copy = await this.#run(
            dockerCopyInArgv(staging.path, { container: target.id, path: temp }, { cli }),
          );
          if (copy.exitCode !== 0) {
            throw new OperationError(
              `Could not copy into "${remotePath}": ${
                lastLine(copy.output.stderr) || `exit code ${copy.exitCode}`
              }`,
            );
          }
        } finally {
          await staging.remove();
        }
        // The move runs as the command user, who may not be allowed to remove the copy.
        const remove = async (failed: boolean) => {
          if (!failed) return;
          const rm = dockerExecArgv(target.id, sh`rm -f ${temp}`.render(), { cli, user: "0" });
          await this.#run(rm).catch(() => {});
        };
        return { remove };
      },
    });
  }

  /**
   * Downloads with `cat` run in the container as the command user, so
   * `_sudo` and `docker_user` permissions apply and symlinks resolve inside
   * the container; a local path is written to a temporary name and renamed.
   */
  override async getFile(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments = {},
  ): Promise<boolean> {
    return await getFileThroughExec(this.#exec, remotePath, { destination, args: options });
  }
}

function podmanHost(host: HostInfo): HostInfo {
  for (const key of Object.keys(host.data)) {
    if (key.startsWith("podman_")) {
      throw new InputError(
        `Host "${host.name}": @podman uses the docker_ data keys: write "docker_${
          key.slice(7)
        }" instead of "${key}"`,
      );
    }
  }
  return host;
}

/** `@podman`: the docker connector with `podman` as its CLI. It reads the same `docker_` data keys. */
export class PodmanConnector extends DockerConnector {
  static override connectorName = "podman";
  static override dataMeta: Readonly<Record<string, DataMeta>> = dockerDataMeta("podman");
  static override description =
    "A podman container (by name or id), or a throwaway one from an image";

  /** Rejects `podman_*` keys with the `docker_*` key to write instead. */
  constructor(host: HostInfo, context: ConnectorContext) {
    super(podmanHost(host), context);
  }
}
