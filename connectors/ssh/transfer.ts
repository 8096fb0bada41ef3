/**
 * Files over SSH: SFTP (parallel reads for downloads to a path), or plain
 * `cat` over a channel ("scp") for servers without an SFTP subsystem or when
 * `ssh_file_transfer_protocol` asks for it. Uploads go to a temporary name
 * and are renamed into place; privileged ones (or ones with an owner) stream
 * into a private file made under the privilege (`stagedMoveCommand`).
 *
 * @module
 */

import type { SFTPWrapper } from "ssh2";
import { type ControlArguments, extractControlArguments } from "../../lib/core/arguments.ts";
import { type Command, sh } from "../../lib/core/command.ts";
import { makeUnixCommand } from "../../lib/core/unix_command.ts";
import { webReadable } from "../_node_streams.ts";
import { downloadTo, isPrivileged, sourceStream, tempName } from "../_shared.ts";
import { stagedUpload } from "../_staged_upload.ts";
import type {
  CommandResult,
  FileDestination,
  FileSource,
  PutOptions,
  RunOptions,
} from "../base.ts";
import { secretsOnStdin, type SshChannels } from "./channels.ts";
import { sftpWriteNew } from "./_sftp_write.ts";

/** What a transfer needs from its connector. */
export interface TransferHost {
  /** The host's name, for errors. */
  hostName: string;
  /** `sftp`, or `scp` for plain `cat` over a channel. */
  protocol: string;
  /** The connection's channels. */
  channels: SshChannels;
  /** Runs a command on the host (the connector's `runShellCommand`). */
  run(command: Command, options?: RunOptions): Promise<CommandResult>;
}

/** Moves files to and from one SSH host; keeps one SFTP session, opened on first use. */
export class SshTransfer {
  readonly #host: TransferHost;
  #sftp?: Promise<SFTPWrapper>;

  /** A transfer for `host`; nothing is opened yet. */
  constructor(host: TransferHost) {
    this.#host = host;
  }

  /** Forgets the SFTP session (the connection it ran on is closed). */
  reset(): void {
    this.#sftp = undefined;
  }

  #sftpClient(): Promise<SFTPWrapper> {
    const client = this.#host.channels.client;
    this.#sftp ??= new Promise<SFTPWrapper>((resolve, reject) =>
      client!.sftp((error, sftp) => error ? reject(error) : resolve(sftp))
    );
    this.#sftp.catch(() => (this.#sftp = undefined));
    return this.#sftp;
  }

  /** The SFTP session, or undefined when scp was asked for or the server has no SFTP subsystem. */
  async #sftpOrNone(): Promise<SFTPWrapper | undefined> {
    if (this.#host.protocol === "scp") return undefined;
    return await this.#sftpClient().catch(() => undefined);
  }

  /** Uploads to a temporary name beside `remotePath`, then renames it into place. */
  async put(source: FileSource, remotePath: string, options: PutOptions = {}): Promise<boolean> {
    const { channels, hostName } = this.#host;
    if (channels.lost) throw new Error(`Cannot upload to ${hostName}: ${channels.lost}`);
    const bytes = async (source: FileSource) =>
      typeof source === "string" ? (await Deno.open(source)).readable : sourceStream(source);
    if (isPrivileged(options) || options.owner !== undefined) {
      return await stagedUpload(source, remotePath, {
        put: options,
        run: (command, options) => this.#host.run(command, options),
        where: ` on ${hostName}`,
      });
    }
    const stream = await bytes(source);
    const temp = tempName(remotePath);
    try {
      await this.#upload(stream, temp, { mode: options.mode, timeout: options._timeout });
      await this.#rename(temp, remotePath);
      return true;
    } catch (error) {
      if (!channels.lost) await this.#host.run(sh`rm -f ${temp}`).catch(() => {});
      throw error;
    }
  }

  async #upload(
    bytes: ReadableStream<Uint8Array>,
    path: string,
    options: { mode?: string; timeout?: number },
  ): Promise<void> {
    const { mode } = options;
    const sftp = await this.#sftpOrNone();
    if (!sftp) {
      const command = mode !== undefined
        ? sh`umask 077 && set -C && cat > ${path} && chmod ${mode} ${path}`
        : sh`set -C && cat > ${path}`;
      const chunks: Uint8Array[] = [];
      for await (const chunk of bytes) chunks.push(chunk);
      const result = await this.#host.run(command, {
        _stdin: concat(chunks),
        _timeout: options.timeout,
      });
      if (!result.success) {
        throw new Error(`Upload to ${path} failed: ${result.output.stderr || result.error}`);
      }
      return;
    }
    // O_EXCL, so a link planted at the temporary name is never followed; pipelined writes.
    await sftpWriteNew(sftp, path, bytes, { mode: mode !== undefined ? parseInt(mode, 8) : 0o644 });
  }

  async #rename(from: string, to: string): Promise<void> {
    const sftp = await this.#sftpOrNone();
    if (sftp) {
      await new Promise<void>((resolve, reject) =>
        sftp.ext_openssh_rename(from, to, (error) => error ? reject(error) : resolve())
      );
      return;
    }
    const result = await this.#host.run(sh`mv -f ${from} ${to}`);
    if (!result.success) throw new Error(`Could not rename ${from}: ${result.output.stderr}`);
  }

  /**
   * Downloads `remotePath`: with SFTP when it can (parallel reads into a
   * temporary file beside a local destination), else with `cat` on a channel,
   * which is also how privileged reads run.
   */
  async get(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments = {},
  ): Promise<boolean> {
    const { channels, hostName } = this.#host;
    if (channels.lost) throw new Error(`Cannot download from ${hostName}: ${channels.lost}`);
    const sftp = isPrivileged(options) ? undefined : await this.#sftpOrNone();
    if (!sftp) {
      return await downloadTo(destination, async (sink) => {
        const { connector, command: commandArgs } = extractControlArguments(options);
        const exec = makeUnixCommand(sh`cat ${remotePath}`, commandArgs).renderForExec();
        await this.#cat(exec.text, {
          secretEnv: exec.secretEnv,
          sink,
          timeout: connector._timeout,
        });
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

  async #cat(
    text: string,
    options: {
      secretEnv: Readonly<Record<string, string>>;
      sink: WritableStream<Uint8Array>;
      timeout?: number;
    },
  ): Promise<void> {
    const { channels, hostName } = this.#host;
    const { prelude, input: secretInput } = secretsOnStdin(options.secretEnv);
    const release = await channels.take();
    try {
      const stream = await channels.open(`${prelude}${text}`);
      const stderr: Uint8Array[] = [];
      stream.stderr.on("data", (chunk: Uint8Array) => stderr.push(chunk));
      if (secretInput.length > 0) stream.write(secretInput);
      stream.end();
      const timer = options.timeout !== undefined
        ? setTimeout(() => stream.close(), options.timeout * 1000)
        : undefined;
      let code: number | undefined;
      try {
        await webReadable(stream).pipeTo(options.sink);
        // The exit status can arrive after the end of the data.
        code = (await channels.closed(stream)).code;
      } finally {
        clearTimeout(timer);
      }
      if (code !== 0) {
        throw new Error(
          `Could not read from ${hostName}: ${
            new TextDecoder().decode(concat(stderr)).trim() || `exit code ${code}`
          }`,
        );
      }
    } finally {
      release();
    }
  }
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
