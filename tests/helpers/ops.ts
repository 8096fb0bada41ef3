/**
 * Runs operations for real against @local through a HostSession, counting
 * commands and uploads.
 *
 * @module
 */

import type { BaseConnector } from "../../connectors/base.ts";
import { LocalConnector } from "../../connectors/local.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import type { OperationResult } from "../../lib/api/mod.ts";
import { callOperation } from "../../lib/operations/registry.ts";
import { LocalPathPolicy } from "../../lib/operations/local_paths.ts";
import { runProcess } from "../../lib/process.ts";
import type { RunEvent } from "../../lib/run/events.ts";
import { HostSession } from "../../lib/run/session.ts";
import { sshHostData, TEST_USER, type TestSshd } from "./sshd.ts";

/** A @local session and a way to call operations on it. */
export interface OpHarness {
  session: HostSession;
  events: RunEvent[];
  /** Runs `name` with the deploy-style arguments. */
  op(name: string, ...args: unknown[]): Promise<OperationResult>;
  /** The same, as a dry run. */
  dry(name: string, ...args: unknown[]): Promise<OperationResult>;
  /** Upload commands seen so far. */
  uploads(): string[];
  /** Shell commands seen so far. */
  commands(): string[];
}

/** A harness on @local; `baseDir` resolves relative local paths. */
export function localHarness(baseDir = "/", data: Record<string, unknown> = {}): OpHarness {
  const host = { name: "@local", data, groups: ["@local"], connector: LocalConnector };
  return connectorHarness(host, new LocalConnector(host, { runProcess }), baseDir);
}

/** A policy that grants every local path, for tests of operations rather than of the policy. */
export const GRANT_ALL: LocalPathPolicy = LocalPathPolicy.of({ read: ["/"], write: ["/"] });

/**
 * A harness on any connector instance (its host as the inventory knows it);
 * local paths resolve against `baseDir` under `policy` (default: all granted).
 */
export function connectorHarness(
  host: { name: string; data: Record<string, unknown>; groups: string[] },
  connector: BaseConnector,
  baseDir = "/",
  config: Record<string, unknown> = {},
  policy: LocalPathPolicy = GRANT_ALL,
): OpHarness {
  const events: RunEvent[] = [];
  const session = new HostSession(
    { ...host, connector: connector.constructor as never },
    connector,
    { emit: (e) => events.push(e) },
  );
  const call = (dryRun: boolean) => (name: string, ...args: unknown[]) =>
    callOperation(session, name, args, {
      dryRun,
      wantDiff: true,
      deployDefaults: {},
      local: { policy, base: baseDir },
      config,
    });
  const commandTexts = () => events.flatMap((e) => e.type === "command" ? [e.command] : []);
  return {
    session,
    events,
    op: call(false),
    dry: call(true),
    uploads: () => commandTexts().filter((c) => c.startsWith("upload ")),
    commands: commandTexts,
  };
}

/** A harness on @ssh as the test user of `sshd` (connect it with `session.connect()`). */
export function sshHarness(sshd: TestSshd): OpHarness {
  const host = {
    name: `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`,
    data: sshHostData(sshd),
    groups: [],
  };
  return connectorHarness(host, new SshConnector(host, { runProcess }));
}
