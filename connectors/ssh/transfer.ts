/**
 * Files over SSH: SFTP (several requests in flight each way), or plain
 * `cat` over a channel ("scp") for servers without an SFTP subsystem or when
 * `ssh_file_transfer_protocol` asks for it. Uploads go to a temporary name
 * and are renamed into place; privileged ones (or ones with an owner) stream
 * into a private file made under the privilege (`stagedMoveCommand`).
 *
 * @module
 */

import type { ControlArguments } from "../../lib/core/arguments.ts";
import { type Command, sh } from "../../lib/core/command.ts";
import { type ByteStreams, downloadTo, isPrivileged, tempName } from "../_shared.ts";
import { stagedUpload } from "../_staged_upload.ts";
import { type UploadSource, uploadSource } from "../_upload_source.ts";
import type {
  CommandResult,
  FileDestination,
  FileSource,
  PutOptions,
  RunOptions,
} from "../base.ts";
import type { SFTPWrapper } from "ssh2";
import type { SshChannels } from "./channels.ts";
import { SftpSession } from "./sftp_session.ts";

/** What a transfer needs from its connector. */
export interface TransferHost {
  /** The host's name, for errors. */
  hostName: string;
  /** `sftp`, or `scp` for plain `cat` over a channel. */
  protocol: string;
  /** The connection's channels. */
  channels: SshChannels;
  /** Runs a command on the host (the connector's `runShellCommand`). */
  run(command: Command, options?: RunOptions & ByteStreams): Promise<CommandResult>;
  /**
   * Has the host remove `path` if the connection drops before the returned
   * function is called (the persistent shell's exit trap); a no-op without one.
   */
  removeOnDrop(path: string): () => void;
  /** Names an upload's temporary file (default {@linkcode tempName}). */
  tempName?: (path: string) => string;
}

/** Moves files to and from one SSH host; keeps one SFTP session, opened on first use. */
export class SshTransfer {
  readonly #host: TransferHost;
  #sftp?: Promise<SftpSession>;

  /** A transfer for `host`; nothing is opened yet. */
  constructor(host: TransferHost) {
    this.#host = host;
  }

  /** Forgets the SFTP session (the connection it ran on is closed). */
  reset(): void {
    this.#sftp = undefined;
  }

  #sftpClient(): Promise<SftpSession> {
    if (this.#sftp === undefined) {
      const opening = this.#host.channels.opening<SFTPWrapper>(
        (client, opened) => client.sftp((error, sftp) => opened(error, sftp)),
        { lasting: true },
      ).then((sftp) => {
        // A session that ended (its channel closed) is opened again next time.
        sftp.on("close", () => this.#sftp === opening && (this.#sftp = undefined));
        return new SftpSession(sftp);
      });
      this.#sftp = opening;
      opening.catch(() => this.#sftp === opening && (this.#sftp = undefined));
    }
    return this.#sftp;
  }

  /** The SFTP session, or undefined when scp was asked for or the server has no SFTP subsystem. */
  async #sftpOrNone(): Promise<SftpSession | undefined> {
    if (this.#host.protocol === "scp") return undefined;
    return await this.#sftpClient().catch(() => undefined);
  }

  /**
   * Uploads to a temporary name beside `remotePath`, then renames it into
   * place: SFTP with several writes in flight, or `cat` on a channel. The
   * bytes are read from disk as they are sent, never whole.
   */
  async put(source: FileSource, remotePath: string, options: PutOptions = {}): Promise<boolean> {
    const { channels, hostName } = this.#host;
    if (channels.lost) throw new Error(`Cannot upload to ${hostName}: ${channels.lost}`);
    if (isPrivileged(options) || options.owner !== undefined) {
      return await stagedUpload(source, remotePath, {
        put: options,
        run: (command, options) => this.#host.run(command, options),
        where: ` on ${hostName}`,
        tempName: this.#host.tempName,
      });
    }
    await using upload = await uploadSource(source);
    const temp = (this.#host.tempName ?? tempName)(remotePath);
    // Written before the upload starts: a link that dies mid-way leaves no temporary file
    // once the host sees the drop, though nothing can reach it from here any more.
    const forget = this.#host.removeOnDrop(temp);
    try {
      await this.#upload(upload, temp, {
        mode: options.mode,
        timeout: options._timeout,
        signal: options.signal,
      });
      await this.#rename(temp, remotePath);
      return true;
    } catch (error) {
      if (!channels.lost) await this.#host.run(sh`rm -f ${temp}`).catch(() => {});
      // The SFTP session ended because the connection did: say why it did.
      throw upload.error() ?? (channels.lost ? new Error(channels.lost, { cause: error }) : error);
    } finally {
      if (!channels.lost) forget();
    }
  }

  async #upload(
    upload: UploadSource,
    path: string,
    options: { mode?: string; timeout?: number; signal?: AbortSignal },
  ): Promise<void> {
    const { mode, signal } = options;
    const sftp = await this.#sftpOrNone();
    if (!sftp) {
      const command = mode !== undefined
        ? sh`umask 077 && set -C && cat > ${path} && chmod ${mode} ${path}`
        : sh`set -C && cat > ${path}`;
      const result = await this.#host.run(command, {
        openStdin: () => upload.stream(),
        _timeout: options.timeout,
        signal,
      });
      if (upload.error() !== undefined) throw upload.error();
      if (!result.success) {
        throw new Error(`Upload to ${path} failed: ${result.output.stderr || result.error}`);
      }
      return;
    }
    const octal = mode !== undefined ? parseInt(mode, 8) : 0o644;
    // Aborted (Ctrl-C): the writes stop, the SFTP handle is closed, the caller removes the file.
    // The mode is set on the handle, behind the writes (no round trip of its own).
    await sftp.writeFile(path, upload.stream(), { mode: octal, signal });
  }

  async #rename(from: string, to: string): Promise<void> {
    const sftp = await this.#sftpOrNone();
    if (sftp) {
      await sftp.rename(from, to);
      return;
    }
    const result = await this.#host.run(sh`mv -f ${from} ${to}`);
    if (!result.success) throw new Error(`Could not rename ${from}: ${result.output.stderr}`);
  }

  /**
   * Downloads `remotePath`: with SFTP when it can (several reads in flight),
   * else with `cat` on a channel, which is also how privileged reads run. A
   * local destination is written to a temporary file beside it, then renamed.
   */
  async get(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments = {},
  ): Promise<boolean> {
    const { channels, hostName } = this.#host;
    if (channels.lost) throw new Error(`Cannot download from ${hostName}: ${channels.lost}`);
    const sftp = isPrivileged(options) ? undefined : await this.#sftpOrNone();
    // A local file is done with each chunk once written: the read buffers are reused.
    const reuseBuffers = typeof destination === "string";
    return await downloadTo(destination, async (sink) => {
      if (sftp) return await sftp.readFile(remotePath, sink, { reuseBuffers });
      const result = await this.#host.run(sh`cat ${remotePath}`, {
        ...options,
        _get_pty: false,
        stdoutBytes: sink,
      });
      if (!result.success) {
        throw new Error(
          `Could not read from ${hostName}: ${
            result.output.stderr.trim() || result.error || `exit code ${result.exitCode}`
          }`,
        );
      }
    });
  }
}
