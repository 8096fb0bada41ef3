/**
 * An example connector that wraps a CLI: `@incus/NAME` runs commands in the
 * Incus instance NAME through `incus exec NAME -- sh -c …`, the way a
 * `kubectl exec` or `machinectl shell` connector would. Kit form: it imports
 * no skiff file, only the types `skiff types` writes.
 *
 * How it keeps the contract with a CLI in the middle:
 * - the CLI is started through `sh` (`sh -c 'exec incus …'`), which the
 *   binary's run allow list grants, by `kit.runProcess` in its own process group;
 * - secrets never reach an argv: they are the first lines of the command's
 *   standard input, read into variables by a `read` prelude (one byte at a
 *   time from a pipe, so `_stdin` after them is untouched);
 * - `_timeout` is enforced inside the instance by `timeout -s KILL`, which
 *   kills the whole process group there (killing the local `incus` client
 *   alone could leave the command running); the local runner kills the
 *   client a little later as a backstop;
 * - uploads go to a temporary file and are renamed only when the whole
 *   source arrived.
 *
 * `incus_binary` points at another program; the tests use
 * `tests/helpers/fake_incus.sh`, a stand-in that runs the command locally.
 */
import type {
  Command,
  CommandResult,
  ConnectorKit,
  ControlArguments,
  DataMeta,
  FileDestination,
  FileSource,
  NameData,
  PutOptions,
  RunOptions,
  StdinValue,
} from "./skiff.d.ts";

const encoder = new TextEncoder();

function bytesOf(value: StdinValue): Uint8Array {
  if (value instanceof Uint8Array) return value;
  return encoder.encode(typeof value === "string" ? value : value.map((l) => `${l}\n`).join(""));
}

/** `prefix`, then everything `rest` gives; an error of `rest` is kept in `failure.error`. */
function prefixed(
  prefix: Uint8Array,
  rest: ReadableStream<Uint8Array> | undefined,
  failure: { error?: unknown },
): ReadableStream<Uint8Array> {
  const reader = rest?.getReader();
  let sentPrefix = prefix.length === 0;
  return new ReadableStream({
    async pull(controller) {
      if (!sentPrefix) {
        sentPrefix = true;
        return controller.enqueue(prefix);
      }
      try {
        const next = reader ? await reader.read() : { done: true as const, value: undefined };
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        failure.error = error;
        controller.error(error);
      }
    },
  });
}

export default (kit: ConnectorKit) =>
  class IncusConnector extends kit.BaseConnector {
    static override connectorName = "incus";
    static override description = "Example: commands in an Incus instance via `incus exec`";
    static override dataMeta: Readonly<Record<string, DataMeta>> = {
      incus_instance: { description: "Instance name (set from @incus/NAME)", type: "string" },
      incus_project: { description: "Incus project of the instance", type: "string" },
      incus_binary: { description: "The incus program to run", type: "string", default: "incus" },
    };

    static *makeNamesData(arg: string | undefined): Iterable<NameData> {
      if (!arg) throw new Error("@incus needs an instance name: @incus/NAME");
      yield { name: `@incus/${arg}`, data: { incus_instance: arg }, groups: ["@incus"] };
    }

    /** `incus [--project P] ARGS…` as one `sh -c` line (the CLI itself is not on the run allow list). */
    #incus(args: (string | Command)[]): string[] {
      const project = this.data.incus_project ? ["--project", String(this.data.incus_project)] : [];
      const line = kit.sh`exec ${String(this.data.incus_binary)} ${project} ${args}`;
      return ["sh", "-c", line.render()];
    }

    /** Runs `command` in the instance with `stdin` after the secrets' lines. */
    async #exec(
      command: Command | string,
      options: ControlArguments & Pick<RunOptions, "onOutput" | "signal">,
      stdin?: ReadableStream<Uint8Array>,
      stdoutBytes?: WritableStream<Uint8Array>,
    ) {
      const { connector, command: wrapping } = kit.extractControlArguments(options);
      const exec = kit.makeUnixCommand(command, wrapping).renderForExec();
      const secrets = Object.entries(exec.secretEnv);
      if (secrets.some(([, value]) => value.includes("\n"))) {
        throw new Error("The incus connector cannot pass a secret that contains a newline");
      }
      const prelude = secrets.map(([name]) => `IFS= read -r ${name} || exit 125; export ${name}\n`);
      const timeout = connector._timeout;
      const script = `${prelude.join("")}${exec.text}`;
      const inner = timeout === undefined
        ? kit.sh`sh -c ${script}`
        : kit.sh`timeout -s KILL ${timeout} sh -c ${script}`;
      const failure: { error?: unknown } = {};
      const input = stdin ??
        (connector._stdin === undefined ? undefined : new Blob([
          bytesOf(connector._stdin) as Uint8Array<ArrayBuffer>,
        ]).stream());
      const secretLines = encoder.encode(secrets.map(([, value]) => `${value}\n`).join(""));
      const result = await kit.runProcess(
        this.#incus(["exec", String(this.data.incus_instance), "--", inner]),
        {
          stdin: prefixed(secretLines, input, failure),
          timeout: timeout === undefined ? undefined : timeout + 5,
          onOutput: options.onOutput,
          signal: options.signal,
          stdoutBytes,
        },
      );
      const timedOut = result.timedOut || (timeout !== undefined && result.exitCode === 137);
      const codes = connector._success_exit_codes ?? [0];
      return { result, timedOut, failure, codes };
    }

    override async connect(): Promise<void> {
      const info = await kit.runProcess(this.#incus(["info", String(this.data.incus_instance)]));
      if (info.exitCode !== 0) {
        throw new kit.ConnectError(
          `Incus instance "${this.data.incus_instance}" cannot be reached: ${info.output.stderr}`,
        );
      }
    }

    override async runShellCommand(
      command: Command | string,
      options: RunOptions = {},
    ): Promise<CommandResult> {
      const { result, timedOut, codes } = await this.#exec(command, options);
      return {
        success: !timedOut && result.exitCode !== null && codes.includes(result.exitCode),
        exitCode: timedOut ? null : result.exitCode,
        timedOut,
        output: result.output,
      };
    }

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
      const { _stdin: _, _timeout: __, ...rest } = options;
      const { result, failure } = await this.#exec(kit.sh`cat > ${temp}`, rest, input);
      if (failure.error !== undefined || result.exitCode !== 0) {
        await this.#exec(kit.sh`rm -f ${temp}`, rest);
        if (failure.error !== undefined) throw failure.error;
        return false;
      }
      const move = options.mode
        ? kit.sh`chmod ${options.mode} ${temp} && mv ${temp} ${remotePath}`
        : kit.sh`mv ${temp} ${remotePath}`;
      return (await this.#exec(move, rest)).result.exitCode === 0;
    }

    override async getFile(
      remotePath: string,
      destination: FileDestination,
      options: ControlArguments = {},
    ): Promise<boolean> {
      const file = typeof destination === "string"
        ? await Deno.open(destination, { write: true, create: true, truncate: true })
        : undefined;
      const { result } = await this.#exec(
        kit.sh`cat ${remotePath}`,
        options,
        undefined,
        file ? file.writable : destination as WritableStream<Uint8Array>,
      );
      return result.exitCode === 0;
    }
  };
