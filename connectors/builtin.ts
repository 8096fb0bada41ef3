/**
 * The connectors that ship with skiff.
 *
 * @module
 */

import { ChrootConnector } from "./chroot.ts";
import { DockerConnector, PodmanConnector } from "./docker.ts";
import { DockerSshConnector } from "./dockerssh.ts";
import { LocalConnector } from "./local.ts";
import { ConnectorRegistry } from "./registry.ts";
import { SshConnector } from "./ssh/connector.ts";

/** A registry holding every built-in connector. */
export function builtinRegistry(): ConnectorRegistry {
  return new ConnectorRegistry([
    LocalConnector,
    SshConnector,
    DockerConnector,
    PodmanConnector,
    DockerSshConnector,
    ChrootConnector,
  ]);
}
