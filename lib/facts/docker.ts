/**
 * Container facts through the docker or podman CLI on the host, and the
 * shell lines that pick that CLI: the one named (the host data key
 * `container_cli`: `docker`, `podman` or a path to either), else `docker` when
 * the host has it, else `podman`.
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import { InputError } from "../core/errors.ts";
import type { ContainerFact } from "../api/mod.ts";
import type { FactDefinition } from "./fact.ts";

/** The host data key that names the container CLI. */
export const CONTAINER_CLI_KEY = "container_cli";

/**
 * Checks a container CLI name or path (`docker`, `podman`, `/usr/bin/podman`).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { checkCli } from "./docker.ts";
 * strictEqual(checkCli("podman"), "podman");
 * ```
 */
export function checkCli(cli: unknown): string {
  if (typeof cli !== "string" || !/^[A-Za-z0-9_./+][A-Za-z0-9_./+-]*$/.test(cli)) {
    throw new InputError(
      `${CONTAINER_CLI_KEY}: expected "docker", "podman" or a path to either, got ${
        JSON.stringify(cli)
      }`,
    );
  }
  return cli;
}

/**
 * Shell lines that set `$c` to the container CLI: `cli` when given, else
 * `docker` when the host has it, else `podman`; failing when there is none.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { cliPrelude } from "./docker.ts";
 * strictEqual(cliPrelude("podman").render(), "c=podman");
 * ```
 */
export function cliPrelude(cli?: string): Command {
  if (cli !== undefined) return sh`c=${checkCli(cli)}`;
  return sh`if command -v docker >/dev/null 2>&1; then c=docker
elif command -v podman >/dev/null 2>&1; then c=podman
else echo "neither docker nor podman is installed" >&2; exit 127; fi`;
}

const FORMAT = "{{.Name}}\t{{.Config.Image}}\t{{.State.Running}}";

/**
 * Parses `container inspect` lines (`name TAB image TAB running`); docker
 * writes names with a leading `/`, podman without.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseContainers } from "./docker.ts";
 * deepStrictEqual(parseContainers("/web\tnginx:1\ttrue\n"), {
 *   web: { image: "nginx:1", running: true },
 * });
 * ```
 */
export function parseContainers(stdout: string): Record<string, ContainerFact> {
  const out: Record<string, ContainerFact> = {};
  for (const line of stdout.split("\n")) {
    const [name, image, running] = line.split("\t");
    if (running === undefined) continue;
    out[name.replace(/^\//, "")] = { image, running: running === "true" };
  }
  return out;
}

/** Every container on the host (running or not) by name, through `cli` or the one the host has. */
export const containers: FactDefinition<[string?], Record<string, ContainerFact>> = {
  name: "docker.containers",
  signature: {
    params: "cli?: string",
    returns: "Record<string, ContainerFact>",
    description:
      "every container, running or not, by name (`cli`: `docker`, `podman` or a path; default docker, else podman)",
  },
  command: (...args) =>
    sh`${cliPrelude(args[0])}
ids=$("$c" ps -a -q --no-trunc) || exit 1
if [ -n "$ids" ]; then "$c" container inspect --format ${FORMAT} $ids || exit 1; fi`,
  parse: (stdout) => parseContainers(stdout),
};
