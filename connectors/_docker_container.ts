/**
 * The container behind `@docker/NAME` and `@podman/NAME`: an existing,
 * running container (never started, stopped, committed or removed by skiff),
 * or a throwaway one started from an image at connect and removed (or kept,
 * or committed) at disconnect.
 *
 * @module
 */

import { ConnectError, errorMessage, InputError, OperationError } from "../lib/core/errors.ts";
import type { ProcessRunner } from "../lib/process.ts";
import {
  dockerCommitArgv,
  dockerInspectContainerArgv,
  dockerInspectImageArgv,
  dockerRemoveArgv,
  dockerRunArgv,
  parseImageProcess,
} from "./docker_argv.ts";

/** A container the connector has chosen at connect. */
export interface Container {
  /** Full container id. */
  id: string;
  /** True when skiff started it from an image and owns it. */
  throwaway: boolean;
}

/** How to reach the engine, and the host's `docker_` data. */
export interface ContainerOptions {
  /** The engine's CLI (`docker_cli`). */
  cli: string;
  /** Runs the CLI (see {@linkcode engineRunner}). */
  run: ProcessRunner;
  /** The host's name, for errors. */
  hostName: string;
  /** The host's connector data (`docker_keep`, `docker_commit`, `docker_network`, …). */
  data: Readonly<Record<string, unknown>>;
}

/**
 * `runProcess` for the engine's CLI: a CLI that is not installed is a
 * permanent ConnectError that says how to point at it.
 */
export function engineRunner(runProcess: ProcessRunner, cli: string): ProcessRunner {
  return async (argv, options) => {
    try {
      return await runProcess(argv, options);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new ConnectError(
          `Cannot run "${cli}": it is not installed or not on PATH (set docker_cli to its path)`,
          { cause: error, permanent: true },
        );
      }
      throw error;
    }
  };
}

/**
 * `bytes` random bytes as lower-case hex.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { randomHex } from "./_docker_container.ts";
 * deepStrictEqual(randomHex(6).length, 12);
 * ```
 */
export function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * The last line of a CLI's output (trimmed), where docker puts the id or the error.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { lastLine } from "./_docker_container.ts";
 * deepStrictEqual(lastLine("Pulling…\nabc123\n"), "abc123");
 * ```
 */
export function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/**
 * Finds the container `identifier`, or starts a throwaway one when it is an
 * image. Throws ConnectError when neither works, InputError when
 * `docker_keep` or `docker_commit` are set for an existing container.
 */
export async function openContainer(
  identifier: string,
  options: ContainerOptions,
): Promise<Container> {
  const { cli, run, data, hostName } = options;
  const inspect = await run(dockerInspectContainerArgv(identifier, { cli }));
  if (inspect.exitCode === 0) {
    const [id, running] = lastLine(inspect.output.stdout).split(" ");
    if (data.docker_keep || data.docker_commit !== undefined) {
      throw new InputError(
        `Host "${hostName}": docker_keep and docker_commit apply only to throwaway containers, and "${identifier}" is an existing container`,
      );
    }
    if (running !== "true") {
      throw new ConnectError(
        `Container "${identifier}" is not running: start it first (skiff never starts, stops or removes a container it did not create)`,
        { permanent: true },
      );
    }
    return { id, throwaway: false };
  }
  const started = await run(
    dockerRunArgv(identifier, {
      cli,
      name: `skiff-${randomHex(6)}`,
      platform: data.docker_platform as string | undefined,
      network: data.docker_network as string | undefined,
      runArgs: data.docker_run_args as string[],
    }),
  );
  if (started.exitCode !== 0) {
    throw new ConnectError(
      `"${identifier}" is neither a container nor an image ${cli} could start: ${
        lastLine(started.output.stderr) || lastLine(inspect.output.stderr) ||
        `exit code ${started.exitCode}`
      }`,
    );
  }
  return { id: lastLine(started.output.stdout), throwaway: true };
}

/**
 * Removes a throwaway container (after committing it when `docker_commit`
 * is set; kept when `docker_keep` is true). An existing container is left
 * as it was. Throws only when the commit fails, and then keeps the container.
 */
export async function closeContainer(
  container: Container,
  options: ContainerOptions,
): Promise<void> {
  if (!container.throwaway) return;
  const { cli, run, data } = options;
  const tag = data.docker_commit as string | undefined;
  if (tag !== undefined) {
    const failure = await commit(container.id, { ...options, tag }).catch((error) =>
      errorMessage(error)
    );
    if (failure !== undefined) {
      throw new OperationError(
        `Could not commit container ${
          container.id.slice(0, 12)
        } as "${tag}" (the container was kept): ${failure}`,
      );
    }
  }
  if (data.docker_keep) return;
  await run(dockerRemoveArgv(container.id, { cli })).catch(() => {});
}

/** Commits `id` as `tag` with the image's own command and entrypoint; returns why it failed, if so. */
async function commit(
  id: string,
  options: ContainerOptions & { tag: string },
): Promise<string | undefined> {
  const { cli, run, tag } = options;
  const image = await run(
    dockerInspectImageArgv(options.data.docker_identifier as string, { cli }),
  );
  if (image.exitCode !== 0) return lastLine(image.output.stderr) || `exit code ${image.exitCode}`;
  const committed = await run(
    dockerCommitArgv(id, { tag, image: parseImageProcess(image.output.stdout), cli }),
  );
  if (committed.exitCode !== 0) {
    return lastLine(committed.output.stderr) || `exit code ${committed.exitCode}`;
  }
  return undefined;
}
