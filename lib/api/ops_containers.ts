/**
 * The `docker.*` operations of the deploy API.
 * Written by `deno task gen` from the operations' definitions
 * (lib/operations/defs/) and the facts' signatures: edit those, not this file.
 *
 * ```ts
 * import type { DockerOperations } from "./ops_containers.ts";
 * const names: (keyof DockerOperations)[] = ["container"];
 * names.length; // 1
 * ```
 *
 * @module
 */

import type { OpControl } from "./control.ts";
import type { OperationResult } from "./result.ts";
import type { SecretValue } from "./values.ts";

/** Options of `docker.container`. */
export interface ContainerOptions {
  /** The image it runs (required unless `present: false`). */
  image?: string;
  /** The command and its arguments (a string is split at blanks); the image's when absent. */
  command?: string | string[];
  /** Published ports as `docker run -p` takes them: `"8080:80"`, `"127.0.0.1:53:53/udp"`. */
  ports?: string[];
  /** Environment variables; values may be secrets (they reach the CLI in a file of mode 600, never in argv). */
  env?: Record<string, string | SecretValue>;
  /** Volumes as `docker run -v` takes them: `"data:/var/lib/app"`, `"/srv/conf:/etc/app:ro"`. */
  volumes?: string[];
  /** The network it joins (`none`, `host` or a network's name). */
  network?: string;
  /** The restart policy: `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N`. */
  restart?: string;
  /** There (true) or removed. Default true. */
  present?: boolean;
  /** Running (true) or stopped. Default true. */
  running?: boolean;
}

/** Containers, through the docker or podman CLI (host data `container_cli`; default docker, else podman). */
export interface DockerOperations {
  /**
   * Created, recreated when the settings in its `skiff.spec` label or its image id differ, started/stopped; env through a mode-600 `--env-file`.
   *
   * The host data key `container_cli` names the CLI (`docker`, `podman` or a path); without it `docker`, else `podman`.
   * @param name The container's name.
   *
   * Example: `ops.docker.container("cache", { image: "redis:7", ports: ["6379:6379"] })`
   */
  container(
    name: string,
    options?: ContainerOptions & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Pulls a missing image or removes it.
   * @param ref The image reference, `redis:7`.
   *
   * Example: `ops.docker.image("redis:7")`
   */
  image(
    ref: string,
    options?: {
      /** There (true) or removed. Default true. */
      present?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Creates a missing network (the options apply at creation) or removes it.
   * @param name The network's name.
   *
   * Example: `ops.docker.network("front", { subnet: "10.5.0.0/24" })`
   */
  network(
    name: string,
    options?: {
      /** There (true) or removed. Default true. */
      present?: boolean;
      /** Its driver (`bridge`, …). */
      driver?: string;
      /** Its subnet, `10.5.0.0/24`. */
      subnet?: string;
      /** No route outside (`--internal`). */
      internal?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
  /**
   * Creates or removes a named volume.
   * @param name The volume's name.
   *
   * Example: `ops.docker.volume("data")`
   */
  volume(
    name: string,
    options?: {
      /** There (true) or removed. Default true. */
      present?: boolean;
    } & OpControl,
    control?: OpControl,
  ): Promise<OperationResult>;
}
