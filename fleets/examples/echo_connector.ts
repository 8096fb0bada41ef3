/**
 * An example user connector: `@echo/NAME` runs commands on this machine
 * with `ECHO_HOST=NAME` set, through the same command wrapper (`_sudo`,
 * `_env`, `_chdir` …) as every connector. It shows the contract: a static
 * `connectorName`, documented `dataMeta` with defaults, `makeNamesData` as a
 * static generator, `ConnectError` for failed connections.
 *
 * Load it with `connectors: [./examples/echo_connector.ts]` in a fleet, or
 * `--connector fleets/examples/echo_connector.ts`.
 */
import {
  BaseConnector,
  type CommandResult,
  type FileDestination,
  type FileSource,
  type NameData,
  type PutOptions,
  type RunOptions,
} from "../../connectors/base.ts";
import { ConnectError } from "../../lib/core/errors.ts";
import { extractControlArguments } from "../../lib/core/arguments.ts";
import { type Command, sh } from "../../lib/core/command.ts";
import type { DataMeta } from "../../lib/core/data_meta.ts";
import { makeUnixCommand } from "../../lib/core/unix_command.ts";

export class EchoConnector extends BaseConnector {
  static override connectorName = "echo";
  static override description = "Example: runs commands locally with ECHO_HOST set";
  static override dataMeta: Readonly<Record<string, DataMeta>> = {
    echo_name: { description: "The name after @echo/ (set from the target)", type: "string" },
    echo_greeting: { description: "Greeting printed on connect", type: "string", default: "hello" },
    echo_fail_connect: {
      description: "Fail to connect (for tests)",
      type: "boolean",
      default: false,
    },
  };

  static *makeNamesData(arg: string | undefined): Iterable<NameData> {
    for (const name of (arg ?? "default").split("+")) {
      yield { name: `@echo/${name}`, data: { echo_name: name }, groups: ["@echo"] };
    }
  }

  override connect(): Promise<void> {
    if (this.data.echo_fail_connect) {
      return Promise.reject(new ConnectError(`${this.host.name} refused`));
    }
    return Promise.resolve();
  }

  override async runShellCommand(
    command: Command | string,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    const { connector, command: wrapping } = extractControlArguments(options);
    const exec = makeUnixCommand(command, wrapping).renderForExec();
    const result = await this.context.runProcess(["sh", "-c", exec.text], {
      env: { ...exec.secretEnv, ECHO_HOST: String(this.data.echo_name ?? "") },
      stdin: connector._stdin,
      timeout: connector._timeout,
      onOutput: options.onOutput,
    });
    const codes = connector._success_exit_codes ?? [0];
    return {
      success: result.exitCode !== null && codes.includes(result.exitCode),
      exitCode: result.exitCode,
      output: result.output,
    };
  }

  override async putFile(
    source: FileSource,
    remotePath: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    const bytes = source instanceof Uint8Array
      ? source
      : typeof source === "string"
      ? await Deno.readFile(source)
      : new Uint8Array(await new Response(source).arrayBuffer());
    const result = await this.runShellCommand(
      sh`cat > ${remotePath}.tmp && mv ${remotePath}.tmp ${remotePath}`,
      { ...options, _stdin: bytes },
    );
    return result.success;
  }

  override async getFile(remotePath: string, destination: FileDestination): Promise<boolean> {
    if (typeof destination !== "string") {
      throw new Error("The echo connector downloads to paths only");
    }
    await Deno.copyFile(remotePath, destination);
    return true;
  }
}
