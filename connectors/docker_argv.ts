/**
 * Pure builders of the `docker`/`podman` command lines the container
 * connectors run. Nothing here spawns; the connector hands the argv to its
 * process runner.
 *
 * Secrets never appear in these argvs: they travel as `-e NAME` (no value),
 * and the CLI reads the value from its own environment.
 *
 * @module
 */

/** The CLI used when none is given. */
export const DEFAULT_DOCKER_CLI = "docker";

/** Options of {@linkcode dockerExecArgv}. */
export interface DockerExecOptions {
  /** The CLI to run (`docker`, `podman` or a path). Default `docker`. */
  cli?: string;
  /** User inside the container (`-u`). */
  user?: string;
  /** Plain environment variables, passed as `-e NAME=VALUE`. */
  env?: Readonly<Record<string, string>>;
  /** Names passed as `-e NAME`: the CLI takes each value from its own environment. */
  envNames?: readonly string[];
  /** Allocate a pseudo-terminal (`-t`). */
  tty?: boolean;
  /**
   * When set, the command first prints `MARKER:PID` on stderr, the PID of the
   * shell that runs it (a process group leader), so it can be killed later.
   */
  pidMarker?: string;
}

/**
 * The argv that runs the shell command line `command` in `container` through
 * `sh -c`, with stdin open.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dockerExecArgv } from "./docker_argv.ts";
 * deepStrictEqual(dockerExecArgv("app", "sh -c whoami", { user: "www-data", envNames: ["SKIFF_SECRET_0"] }), ["docker", "exec", "-i", "-u", "www-data", "-e", "SKIFF_SECRET_0", "app", "sh", "-c", "sh -c whoami"]);
 * ```
 */
export function dockerExecArgv(
  container: string,
  command: string,
  options: DockerExecOptions = {},
): string[] {
  const argv = [options.cli ?? DEFAULT_DOCKER_CLI, "exec", "-i"];
  if (options.tty) argv.push("-t");
  if (options.user !== undefined) argv.push("-u", options.user);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    argv.push("-e", `${name}=${value}`);
  }
  for (const name of options.envNames ?? []) argv.push("-e", name);
  const script = options.pidMarker === undefined
    ? command
    : `echo "${options.pidMarker}:$$" >&2; ${command}`;
  argv.push(container, "sh", "-c", script);
  return argv;
}

/** Options of {@linkcode dockerRunArgv}. */
export interface DockerRunOptions {
  /** The CLI to run. Default `docker`. */
  cli?: string;
  /** Container name (`--name`). */
  name?: string;
  /** Image platform (`--platform`). */
  platform?: string;
  /** Network (`--network`); absent leaves the engine's default. */
  network?: string;
  /** Extra arguments placed before the image (`-v`, `--cap-add`, …). */
  runArgs?: readonly string[];
}

/**
 * The argv that starts a throwaway container from `image`, kept alive by
 * `sleep infinity` under the engine's init (which reaps orphans and stops
 * promptly).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dockerRunArgv } from "./docker_argv.ts";
 * deepStrictEqual(dockerRunArgv("debian:12", { name: "skiff-1", network: "none" }), [
 *   "docker", "run", "-d", "--init", "--name", "skiff-1", "--network", "none",
 *   "--entrypoint", "sleep", "debian:12", "infinity",
 * ]);
 * ```
 */
export function dockerRunArgv(image: string, options: DockerRunOptions = {}): string[] {
  const argv = [options.cli ?? DEFAULT_DOCKER_CLI, "run", "-d", "--init"];
  if (options.name !== undefined) argv.push("--name", options.name);
  if (options.platform !== undefined) argv.push("--platform", options.platform);
  if (options.network !== undefined) argv.push("--network", options.network);
  argv.push(...(options.runArgs ?? []), "--entrypoint", "sleep", image, "infinity");
  return argv;
}

/**
 * The argv that kills a process group inside `container`, as root.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dockerKillArgv } from "./docker_argv.ts";
 * deepStrictEqual(dockerKillArgv("app", 42, { cli: "podman" }), ["podman", "exec", "-u", "0", "app", "kill", "-9", "-42"]);
 * ```
 */
export function dockerKillArgv(
  container: string,
  processGroup: number,
  options: { cli?: string } = {},
): string[] {
  if (!Number.isInteger(processGroup) || processGroup <= 1) {
    throw new RangeError(`Cannot kill process group ${processGroup}`);
  }
  return [
    options.cli ?? DEFAULT_DOCKER_CLI,
    "exec",
    "-u",
    "0",
    container,
    "kill",
    "-9",
    `-${processGroup}`,
  ];
}

/**
 * The argv that copies the local file `source` to `path` inside `container`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dockerCopyInArgv } from "./docker_argv.ts";
 * deepStrictEqual(dockerCopyInArgv("/tmp/a", { container: "app", path: "/etc/.x.skiff-1" }), ["docker", "cp", "/tmp/a", "app:/etc/.x.skiff-1"]);
 * ```
 */
export function dockerCopyInArgv(
  source: string,
  target: { container: string; path: string },
  options: { cli?: string } = {},
): string[] {
  return [options.cli ?? DEFAULT_DOCKER_CLI, "cp", source, `${target.container}:${target.path}`];
}

/** The entrypoint and command an image was built with, as `docker image inspect` reports them. */
export interface ImageProcess {
  /** `Config.Entrypoint`, or null. */
  entrypoint: readonly string[] | null;
  /** `Config.Cmd`, or null. */
  cmd: readonly string[] | null;
}

/**
 * The argv that commits `container` as image `tag`, restoring the image's own
 * entrypoint and command (the throwaway container runs `sleep infinity`).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dockerCommitArgv } from "./docker_argv.ts";
 * deepStrictEqual(
 *   dockerCommitArgv("c1", { tag: "app:v2", image: { entrypoint: null, cmd: ["nginx", "-g", "daemon off;"] } }),
 *   ["docker", "commit", "--change", "ENTRYPOINT []", "--change", 'CMD ["nginx","-g","daemon off;"]', "c1", "app:v2"],
 * );
 * ```
 */
export function dockerCommitArgv(
  container: string,
  options: { tag: string; image: ImageProcess; cli?: string },
): string[] {
  return [
    options.cli ?? DEFAULT_DOCKER_CLI,
    "commit",
    "--change",
    `ENTRYPOINT ${JSON.stringify(options.image.entrypoint ?? [])}`,
    "--change",
    `CMD ${JSON.stringify(options.image.cmd ?? [])}`,
    container,
    options.tag,
  ];
}

/** The `--format` that makes `container inspect` print `ID RUNNING`. */
export const CONTAINER_STATE_FORMAT = "{{.Id}} {{.State.Running}}";

/**
 * The argv that prints `ID RUNNING` (`true`/`false`) for an existing container,
 * and fails when there is no such container.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dockerInspectContainerArgv } from "./docker_argv.ts";
 * deepStrictEqual(dockerInspectContainerArgv("app"), ["docker", "container", "inspect", "--format", "{{.Id}} {{.State.Running}}", "app"]);
 * ```
 */
export function dockerInspectContainerArgv(
  container: string,
  options: { cli?: string } = {},
): string[] {
  return [
    options.cli ?? DEFAULT_DOCKER_CLI,
    "container",
    "inspect",
    "--format",
    CONTAINER_STATE_FORMAT,
    container,
  ];
}

/** The `--format` that makes `image inspect` print the entrypoint and command as JSON lines. */
export const IMAGE_PROCESS_FORMAT = "{{json .Config.Entrypoint}}\n{{json .Config.Cmd}}";

/**
 * The argv that prints an image's entrypoint and command, one JSON value a line.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dockerInspectImageArgv } from "./docker_argv.ts";
 * deepStrictEqual(dockerInspectImageArgv("debian:12"), ["docker", "image", "inspect", "--format", "{{json .Config.Entrypoint}}\n{{json .Config.Cmd}}", "debian:12"]);
 * ```
 */
export function dockerInspectImageArgv(image: string, options: { cli?: string } = {}): string[] {
  return [
    options.cli ?? DEFAULT_DOCKER_CLI,
    "image",
    "inspect",
    "--format",
    IMAGE_PROCESS_FORMAT,
    image,
  ];
}

/**
 * Parses what {@linkcode dockerInspectImageArgv} prints.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseImageProcess } from "./docker_argv.ts";
 * deepStrictEqual(parseImageProcess('null\n["sh"]'), { entrypoint: null, cmd: ["sh"] });
 * ```
 */
export function parseImageProcess(text: string): ImageProcess {
  const [entrypoint, cmd] = text.trim().split("\n").map((line) => JSON.parse(line) as unknown);
  const list = (value: unknown): string[] | null =>
    Array.isArray(value) && value.every((item) => typeof item === "string") ? value : null;
  return { entrypoint: list(entrypoint), cmd: list(cmd) };
}

/**
 * The argv that removes `container`, killing it first.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dockerRemoveArgv } from "./docker_argv.ts";
 * deepStrictEqual(dockerRemoveArgv("c1"), ["docker", "rm", "-f", "c1"]);
 * ```
 */
export function dockerRemoveArgv(container: string, options: { cli?: string } = {}): string[] {
  return [options.cli ?? DEFAULT_DOCKER_CLI, "rm", "-f", container];
}
