/**
 * A private mount namespace (root only) that @local commands run in: a
 * process kept asleep in it by `unshare --mount --propagation private`, and
 * a LocalConnector whose every process enters it with `nsenter`. Mounts made
 * there are never seen by this machine, and disappear with the namespace.
 *
 * @module
 */

import { LocalConnector } from "../../connectors/local.ts";
import { runProcess } from "../../lib/process.ts";
import type { PredictTarget } from "./predict.ts";

/** A namespace and a connected @local connector inside it; disposing ends both. */
export interface MountNamespace extends AsyncDisposable {
  /** Runs a shell script inside the namespace (with `stdin`), returning stdout (throws on failure). */
  sh(script: string, stdin?: string): Promise<string>;
  /** The @local host and connector that run there, for `dryThenReal`. */
  target: PredictTarget;
}

/** Starts a private mount namespace and a @local connector that runs in it. */
export async function mountNamespace(): Promise<MountNamespace> {
  const child = new Deno.Command("unshare", {
    args: ["--mount", "--propagation", "private", "sleep", "3600"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Ready once its namespace is no longer this process's own.
  for (let i = 0; i < 100; i++) {
    const check = await runProcess([
      "sh",
      "-c",
      '[ "$(readlink /proc/$1/ns/mnt)" != "$(readlink /proc/$$/ns/mnt)" ]',
      "sh",
      String(child.pid),
    ]);
    if (check.exitCode === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const enter = (argv: readonly string[]) => [
    "nsenter",
    `--target=${child.pid}`,
    "--mount",
    "--",
    ...argv,
  ];
  const host = { name: "@local", data: {}, groups: ["@local"] };
  const connector = new LocalConnector(host, {
    runProcess: (argv, options) => runProcess(enter(argv), options),
  });
  await connector.connect();
  const sh = async (script: string, stdin?: string) => {
    const out = await runProcess(enter(["sh", "-c", script]), stdin === undefined ? {} : { stdin });
    if (out.exitCode !== 0) {
      throw new Error(`${script} failed in the namespace: ${out.output.stderr}`);
    }
    return out.output.stdout;
  };
  return {
    sh,
    target: { host, connector },
    [Symbol.asyncDispose]: async () => {
      await connector.disconnect();
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/** What {@linkcode unshareMount} gives back. */
export interface UnshareRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a shell script in a private mount namespace of its own (`unshare
 * --mount --propagation private`, root only), with extra environment.
 */
export async function unshareMount(
  script: string,
  env: Record<string, string> = {},
): Promise<UnshareRun> {
  const out = await runProcess(
    ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
    { env },
  );
  return { code: out.exitCode ?? -1, stdout: out.output.stdout, stderr: out.output.stderr };
}
