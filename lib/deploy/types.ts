/**
 * The public shapes deploy modules see. A deploy needs no import to run;
 * `import type { DeployContext } from "skiff/mod.ts"` gives editor help.
 *
 * @module
 */

import type { ControlArguments } from "../arguments.ts";
import type { Command, Interpolation, SecretValue } from "../command.ts";

/** What every operation returns. */
export interface OperationResult {
  /** The operation changed something (or, in a dry run, would). */
  changed: boolean;
  /** Every command succeeded. */
  success: boolean;
  /** One line saying what changed or why nothing did. */
  description: string;
  /** The commands run, masked. */
  commands: string[];
  /** Standard output of the commands, joined. */
  stdout: string;
  /** Standard error of the commands, joined. */
  stderr: string;
  /** A unified diff of file content or mode/owner changes, when there is one. */
  diff?: string;
}

/** Control arguments accepted by an operation, as its last parameter. */
export type OpControl = Omit<ControlArguments, "_retry_until" | "_if"> & {
  /** Run the operation only when true (or when the function returns true). */
  _if?: boolean | (() => boolean | Promise<boolean>);
  /** Retry until this returns true for the result. */
  _retry_until?: (result: OperationResult) => boolean;
};

/** A command for `server.shell`: text, or a `sh` tagged-template Command. */
export type ShellCommand = string | Command;

/** Ownership and mode shared by file operations. */
export interface FileAttributes {
  /** Octal mode such as `"644"`. */
  mode?: string;
  /** Owner user name. */
  user?: string;
  /** Owner group name. */
  group?: string;
}

/** The operations a deploy calls. Subject first, then options, then control arguments. */
export interface Operations {
  /** Server-level operations. */
  server: {
    /** Runs shell commands in order. Always reports a change. */
    shell(
      commands: ShellCommand | ShellCommand[],
      options?: OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Uploads a script (a local path, or `{ content }`) and runs it. */
    script(
      source: string | { content: string },
      options?: { args?: string[] } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
  /** File operations. */
  files: {
    /** Uploads a local file (path) or `{ content }` to `dest`; skipped when the sha256 matches. */
    put(
      source: string | { content: string | Uint8Array },
      dest: string,
      options?: FileAttributes & { createRemoteDir?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Downloads `src` to a local path; skipped when the sha256 matches. */
    get(
      src: string,
      dest: string,
      options?: OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a directory exists (or not) with mode and owner. */
    directory(
      path: string,
      options?: FileAttributes & { present?: boolean; recursive?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a file exists (or not) with mode and owner; `touch` updates its time. */
    file(
      path: string,
      options?: FileAttributes & { present?: boolean; touch?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a symbolic link `path` → `target`. */
    link(
      path: string,
      target: string,
      options?: { present?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /**
     * Ensures `line` is (or is not) a line of the file. With `match` (a regular
     * expression), lines matching it are replaced by `line`.
     */
    line(
      path: string,
      line: string,
      options?:
        & { present?: boolean; match?: string | RegExp; create?: boolean }
        & FileAttributes
        & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Ensures a block of lines between markers is (or is not) in the file. */
    block(
      path: string,
      content: string,
      options?: { marker?: string; present?: boolean; create?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
    /** Makes `dest` hold the files of the local directory `src` (rsync when possible). */
    sync(
      src: string,
      dest: string,
      options?: { delete?: boolean } & OpControl,
      control?: OpControl,
    ): Promise<OperationResult>;
  };
}

/** What `facts.files.stat` returns; null when the path does not exist. */
export interface FileStat {
  type: "file" | "directory" | "link" | "other";
  mode: string;
  user: string;
  group: string;
  size: number;
  mtime: number;
  linkTarget?: string;
}

/** A user account from `facts.server.users`. */
export interface UserFact {
  uid: number;
  gid: number;
  home: string;
  shell: string;
  groups: string[];
}

/** Facts about a host, cached for the run. */
export interface Facts {
  /** Server facts. */
  server: {
    hostname(): Promise<string>;
    os(): Promise<{ id: string; version: string; name: string; idLike: string[] }>;
    arch(): Promise<string>;
    kernel(): Promise<string>;
    users(): Promise<Record<string, UserFact>>;
    groups(): Promise<Record<string, { gid: number; members: string[] }>>;
    which(command: string): Promise<string | null>;
    command(command: string): Promise<string>;
  };
  /** File facts. */
  files: {
    stat(path: string): Promise<FileStat | null>;
    sha256(path: string): Promise<string | null>;
  };
}

/** The host a deploy runs on. */
export interface DeployHost {
  /** Inventory name. */
  name: string;
  /** Merged host data; secrets are SecretValue. */
  data: Record<string, unknown>;
  /** Groups it belongs to. */
  groups: string[];
}

/** What a deploy's default export receives. */
export interface DeployContext {
  /** The host. */
  host: DeployHost;
  /** The fleet document's configuration (keys outside `fleet:`). */
  config: Record<string, unknown>;
  /** Operations. */
  ops: Operations;
  /** Facts. */
  facts: Facts;
  /** True in a dry run: operations report and change nothing. */
  dryRun: boolean;
  /** Writes a line to the run's output for this host. */
  log(message: string): void;
  /** Makes a value secret (masked in every output). */
  secret(value: string): SecretValue;
  /** The quoting tagged template for commands: ``sh`rm -f ${path}` ``. */
  sh(strings: TemplateStringsArray, ...values: Interpolation[]): Command;
}

/** The shape of a deploy module. */
export interface DeployModule {
  /** The deploy function. */
  default: (ctx: DeployContext) => Promise<void> | void;
  /** The deploy's name for fleet restrictions (default: the file stem). */
  name?: string;
  /** Control arguments applied to every operation of this deploy. */
  defaults?: OpControl;
}
