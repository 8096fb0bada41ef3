/**
 * The connector conformance suite behind `skiff connectors test TARGET`: the
 * connector contract checked against a real target, one result per check.
 * It drives the connector directly (connect, `runShellCommand`, `putFile`,
 * `getFile`, disconnect), so a connector module written next to the binary
 * is held to the same contract as the built-in ones.
 *
 * @module
 */

import type {
  BaseConnector,
  ConnectorClass,
  ConnectorContext,
  HostInfo,
} from "../../connectors/base.ts";
import { splitTarget } from "../../connectors/registry.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { sh } from "../core/command.ts";
import {
  type Check,
  type CheckContext,
  expect,
  fileChecks,
  secretArgvCheck,
} from "./_conformance_files.ts";

export type { Check, CheckContext } from "./_conformance_files.ts";

/** The outcome of one check. */
export interface CheckResult {
  /** What was checked, one short line. */
  readonly name: string;
  /** True when the connector did what the contract says. */
  readonly ok: boolean;
  /** What was seen (on success) or what went wrong (on failure). */
  readonly detail: string;
}

/** Runs a command through the connector and returns the result. */
async function run(ctx: CheckContext, command: ReturnType<typeof sh> | string, options = {}) {
  return await ctx.connector.runShellCommand(command, options);
}

const HOSTILE = `it's "quoted" $(echo injected) \`echo ticks\` ; & | * \\ $HOME\nsecond line`;

const COMMAND_CHECKS: readonly Check[] = [
  {
    name: "exit codes and _success_exit_codes",
    async run(ctx) {
      const ok = await run(ctx, "true");
      expect(ok.success && ok.exitCode === 0, `"true" gave ${ok.exitCode}, success ${ok.success}`);
      const three = await run(ctx, "exit 3");
      expect(!three.success && three.exitCode === 3, `"exit 3" gave ${three.exitCode}`);
      const allowed = await run(ctx, "exit 3", { _success_exit_codes: [0, 3] });
      expect(allowed.success, `"exit 3" with _success_exit_codes [0, 3] is not a success`);
      return "0, 3, and 3 allowed";
    },
  },
  {
    name: "stdout and stderr kept apart",
    async run(ctx) {
      const r = await run(ctx, "echo out1; echo err1 >&2; echo out2");
      expect(r.output.stdout === "out1\nout2", `stdout was "${r.output.stdout}"`);
      expect(r.output.stderr === "err1", `stderr was "${r.output.stderr}"`);
      return "2 stdout lines, 1 stderr line";
    },
  },
  {
    name: "_stdin reaches the command",
    async run(ctx) {
      const r = await run(ctx, "cat", { _stdin: `${HOSTILE}\n` });
      expect(r.success && r.output.stdout === HOSTILE, `cat printed "${r.output.stdout}"`);
      return "hostile text, byte for byte";
    },
  },
  {
    name: "_env quoting with hostile values",
    async run(ctx) {
      const r = await run(ctx, `printf '%s' "$SKIFF_CONFORMANCE"`, {
        _env: { SKIFF_CONFORMANCE: HOSTILE },
      });
      expect(r.success && r.output.stdout === HOSTILE, `the variable held "${r.output.stdout}"`);
      return "quotes, $(), backticks, newline";
    },
  },
  {
    name: "_chdir quoting with a hostile path",
    async run(ctx) {
      const dir = `${ctx.dir}/it's "d" $(echo x)\nnl`;
      const made = await run(ctx, sh`mkdir ${dir}`);
      expect(made.success, `mkdir failed: ${made.output.stderr}`);
      const r = await run(ctx, "pwd -P", { _chdir: dir });
      expect(r.success && r.output.stdout === dir, `pwd printed "${r.output.stdout}"`);
      return "quotes, $(), newline";
    },
  },
  {
    name: "_timeout kills the command and leaves nothing running",
    async run(ctx) {
      const marker = `${ctx.dir}/after-timeout`;
      const started = Date.now();
      const r = await run(ctx, sh`(sleep 2; touch ${marker}.bg) & sleep 2; touch ${marker}`, {
        _timeout: 1,
      });
      const took = (Date.now() - started) / 1000;
      expect(!r.success, "the command succeeded although it ran past _timeout");
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const left = await run(ctx, sh`ls -A ${ctx.dir}`);
      const names = left.output.stdoutLines.filter((n) => n.startsWith("after-timeout"));
      expect(names.length === 0, `after the timeout the command still ran: ${names.join(", ")}`);
      return `returned after ${took.toFixed(1)}s; no marker 2.5s later`;
    },
  },
];

function dataChecks(cls: ConnectorClass, host: HostInfo, context: ConnectorContext): Check[] {
  return [
    {
      name: "dataMeta documents every key",
      run() {
        const keys = Object.entries(cls.dataMeta);
        const bad = keys.filter(([, meta]) =>
          typeof meta.description !== "string" || meta.description.trim() === ""
        ).map(([key]) => `"${key}"`);
        expect(bad.length === 0, `keys without a description: ${bad.join(", ")}`);
        return Promise.resolve(`${keys.length} keys, each described`);
      },
    },
    {
      name: "makeNamesData yields documented hosts",
      async run() {
        const { arg } = splitTarget(host.name);
        const yielded = [];
        for await (const item of cls.makeNamesData(arg)) yielded.push(item);
        expect(yielded.length > 0, `makeNamesData(${JSON.stringify(arg)}) yielded nothing`);
        for (const item of yielded) {
          expect(
            typeof item.name === "string" && Array.isArray(item.groups) &&
              typeof item.data === "object" && item.data !== null,
            `makeNamesData yielded ${JSON.stringify(item)}, not {name, data, groups}`,
          );
        }
        return `${yielded.length} host(s): ${yielded.map((item) => item.name).join(", ")}`;
      },
    },
    {
      name: "unknown data keys refused",
      run() {
        const key = `${cls.connectorName}_no_such_key`;
        try {
          new cls({ ...host, data: { ...host.data, [key]: "x" } }, context);
        } catch (error) {
          expect(
            error instanceof InputError,
            `it threw ${errorMessage(error)}, not an input error`,
          );
          expect(errorMessage(error).includes(key), `the error does not name "${key}"`);
          return Promise.resolve(`"${key}" is an input error`);
        }
        throw new Error(`a host with "${key}" was accepted`);
      },
    },
  ];
}

async function attempt(name: string, work: () => Promise<string>): Promise<CheckResult> {
  try {
    return { name, ok: true, detail: await work() };
  } catch (error) {
    return { name, ok: false, detail: errorMessage(error) };
  }
}

/** How to run the suite. */
export interface ConformanceOptions {
  /** The connector's context (process runner, prompt). */
  readonly context: ConnectorContext;
  /** Called with each result as it is known. */
  readonly onResult?: (result: CheckResult) => void;
}

/**
 * Runs every check against `host` with its connector class and returns the
 * results in order. A failed connect fails every check that needs the host.
 *
 * @example
 * ```ts ignore
 * import { formatCheck, runConformance } from "./conformance.ts";
 * import { LocalConnector } from "../../connectors/local.ts";
 * import { runProcess } from "../process.ts";
 * const host = { name: "@local", data: {}, groups: [] };
 * const results = await runConformance(LocalConnector, host, { context: { runProcess } });
 * results.every((result) => result.ok); // true
 * ```
 */
export async function runConformance(
  cls: ConnectorClass,
  host: HostInfo,
  options: ConformanceOptions,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = (result: CheckResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  for (const check of dataChecks(cls, host, options.context)) {
    record(await attempt(check.name, () => check.run({} as CheckContext)));
  }
  let connector: BaseConnector | undefined;
  const connect = await attempt("connect", async () => {
    connector = new cls(host, options.context);
    await connector.connect();
    return host.name;
  });
  record(connect);
  const checks = [...COMMAND_CHECKS, ...fileChecks(), secretArgvCheck()];
  if (!connector || !connect.ok) {
    for (const check of checks) record({ name: check.name, ok: false, detail: "not connected" });
    record({ name: "disconnect", ok: false, detail: "not connected" });
    return results;
  }
  const made = await attempt("scratch directory", async () => {
    const r = await connector!.runShellCommand(
      'mktemp -d "${TMPDIR:-/tmp}/skiff-conformance.XXXXXX"',
    );
    expect(r.success && r.output.stdout.startsWith("/"), `mktemp -d failed: ${r.output.output}`);
    return r.output.stdout;
  });
  for (const check of checks) {
    if (!made.ok) {
      record({ name: check.name, ok: false, detail: `no scratch directory: ${made.detail}` });
      continue;
    }
    const ctx = { connector, dir: made.detail, local: options.context };
    record(await attempt(check.name, () => check.run(ctx)));
  }
  if (made.ok) await connector.runShellCommand(sh`rm -rf ${made.detail}`).catch(() => {});
  record(
    await attempt("disconnect", async () => {
      await connector!.disconnect();
      return host.name;
    }),
  );
  return results;
}

/**
 * One line per result: `ok    NAME (DETAIL)` or `FAIL  NAME: DETAIL`, newlines in
 * details shown as `\n`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { formatCheck } from "./conformance.ts";
 * deepStrictEqual(formatCheck({ name: "connect", ok: true, detail: "@local" }), "ok    connect (@local)");
 * deepStrictEqual(formatCheck({ name: "connect", ok: false, detail: "refused" }), "FAIL  connect: refused");
 * ```
 */
export function formatCheck(result: CheckResult): string {
  const detail = result.detail.replaceAll("\n", "\\n");
  return result.ok ? `ok    ${result.name} (${detail})` : `FAIL  ${result.name}: ${detail}`;
}
