/**
 * An example user connector in the kit form: `@echo/NAME` runs commands on
 * this machine with `ECHO_HOST=NAME` set, through the same command wrapper
 * (`_sudo`, `_env`, `_chdir` …) as every connector. It imports no skiff file:
 * skiff calls the default export with the connector kit. The type import is
 * of `skiff.d.ts`, which `skiff types` writes (and is erased when it runs).
 *
 * Load it with `connectors: [./examples/echo_connector.ts]` in a fleet, or
 * `--connector fleets/examples/echo_connector.ts`; check it with
 * `skiff connectors test @echo/x --connector fleets/examples/echo_connector.ts`.
 */
import type {
  Command,
  CommandResult,
  ConnectorKit,
  DataMeta,
  FileDestination,
  FileSource,
  NameData,
  PutOptions,
  RunOptions,
} from "./skiff.d.ts";

export default (kit: ConnectorKit) =>
  class EchoConnector extends kit.BaseConnector {
    static override connectorName = "echo";
    static override description = "Example: runs commands locally with ECHO_HOST set";
    static override dataMeta: Readonly<Record<string, DataMeta>> = {
      echo_name: { description: "The name after @echo/ (set from the target)", type: "string" },
      echo_greeting: {
        description: "Greeting printed on connect",
        type: "string",
        default: "hello",
      },
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
        return Promise.reject(new kit.ConnectError(`${this.host.name} refused`));
      }
      return Promise.resolve();
    }

    override async runShellCommand(
      command: Command | string,
      options: RunOptions = {},
    ): Promise<CommandResult> {
      const { connector, command: wrapping } = kit.extractControlArguments(options);
      const exec = kit.makeUnixCommand(command, wrapping).renderForExec();
      const result = await kit.runProcess(["sh", "-c", exec.text], {
        env: { ...exec.secretEnv, ECHO_HOST: String(this.data.echo_name ?? "") },
        stdin: connector._stdin,
        timeout: connector._timeout,
        onOutput: options.onOutput,
        signal: options.signal,
      });
      const codes = connector._success_exit_codes ?? [0];
      return {
        success: !result.timedOut && result.exitCode !== null && codes.includes(result.exitCode),
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        output: result.output,
      };
    }

    /**
     * Streams the source into a temporary file beside the target and renames
     * it only when the whole source arrived: a source that fails midway
     * leaves no file behind (a closed stdin looks like a complete one to `cat`).
     */
    override async putFile(
      source: FileSource,
      remotePath: string,
      options: PutOptions = {},
    ): Promise<boolean> {
      const input = typeof source === "string"
        ? (await Deno.open(source)).readable
        : source instanceof Uint8Array
        ? new Blob([source as Uint8Array<ArrayBuffer>]).stream()
        : source;
      const temp = `${remotePath}.skiff-tmp-${crypto.randomUUID()}`;
      const { _stdin: _, ...rest } = options;
      const wrapping = kit.extractControlArguments(rest).command;
      const shell = (command: Command) => {
        const exec = kit.makeUnixCommand(command, wrapping).renderForExec();
        return ["sh", "-c", exec.text];
      };
      let failure: unknown;
      const reader = input.getReader();
      const guarded = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const { done, value } = await reader.read();
            if (done) controller.close();
            else controller.enqueue(value);
          } catch (error) {
            failure = error;
            controller.error(error);
          }
        },
      });
      const written = await kit.runProcess(shell(kit.sh`cat > ${temp}`), { stdin: guarded });
      if (failure !== undefined || written.exitCode !== 0) {
        await kit.runProcess(shell(kit.sh`rm -f ${temp}`));
        if (failure !== undefined) throw failure;
        return false;
      }
      const move = options.mode
        ? kit.sh`chmod ${options.mode} ${temp} && mv ${temp} ${remotePath}`
        : kit.sh`mv ${temp} ${remotePath}`;
      const moved = await kit.runProcess(shell(move));
      return moved.exitCode === 0;
    }

    override async getFile(remotePath: string, destination: FileDestination): Promise<boolean> {
      if (typeof destination === "string") {
        await Deno.copyFile(remotePath, destination);
        return true;
      }
      const file = await Deno.open(remotePath);
      await file.readable.pipeTo(destination);
      return true;
    }
  };
