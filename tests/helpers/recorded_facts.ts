/**
 * A fake connector answering commands from recorded output, for testing the
 * exact commands operations generate from facts on hosts this machine cannot
 * be (Fedora, Alpine, systemd as PID 1, a host to reboot): args and facts
 * in, commands out.
 *
 * @module
 */

import { BaseConnector, type CommandResult, type NameData } from "../../connectors/base.ts";
import { type Command, toCommand } from "../../lib/core/command.ts";
import { CommandOutput } from "../../lib/core/output.ts";
import { connectorHarness, type OpHarness } from "./ops.ts";

/** What a command matching `match` (a prefix or a RegExp) prints and exits with. */
export interface RecordedReply {
  match: string | RegExp;
  stdout?: string;
  exitCode?: number;
}

/** Replies to commands from recorded output; every other command succeeds silently. */
export class RecordedFactsConnector extends BaseConnector {
  static override connectorName = "recorded";
  static *makeNamesData(): Iterable<NameData> {}
  readonly #replies: RecordedReply[];
  /** Paths uploaded to. */
  readonly uploaded: string[] = [];

  /** A connector for `host` answering from `replies` (first match wins). */
  constructor(
    host: { name: string; data: Record<string, unknown>; groups: string[] },
    replies: RecordedReply[],
  ) {
    super(host, {
      runProcess: () => Promise.reject(new Error("RecordedFactsConnector runs nothing")),
    });
    this.#replies = replies;
  }

  override runShellCommand(command: Command | string): Promise<CommandResult> {
    const text = toCommand(command).render();
    const reply =
      this.#replies.find((r) =>
        typeof r.match === "string" ? text.startsWith(r.match) : r.match.test(text)
      ) ?? ({} as Partial<RecordedReply>);
    const exitCode = reply.exitCode ?? 0;
    const lines = (reply.stdout ?? "").split("\n");
    if (lines.at(-1) === "") lines.pop();
    return Promise.resolve({
      success: exitCode === 0,
      exitCode,
      output: new CommandOutput(lines.map((line: string) => ({ stream: "stdout" as const, line }))),
    });
  }

  override putFile(_source: unknown, remotePath: string): Promise<boolean> {
    this.uploaded.push(remotePath);
    return Promise.resolve(true);
  }

  override getFile(): Promise<boolean> {
    return Promise.reject(new Error("RecordedFactsConnector has no files"));
  }
}

/** A harness whose host answers from `replies`; `commands()` lists what operations ran. */
export function recordedHarness(replies: RecordedReply[]): OpHarness & {
  connector: RecordedFactsConnector;
} {
  const host = { name: "web1", data: {}, groups: ["all"] };
  const connector = new RecordedFactsConnector(host, replies);
  return { ...connectorHarness(host, connector), connector };
}
