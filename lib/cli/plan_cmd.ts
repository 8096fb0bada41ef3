/**
 * `skiff plan show FILE` prints a saved plan as its dry run printed it;
 * `skiff apply FILE` runs the deploy command the plan recorded, on the same
 * hosts, checking each operation against the plan before it runs.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import type { ConnectorContext } from "../../connectors/base.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import { InputError } from "../core/errors.ts";
import type { CliIo } from "../report/io.ts";
import { changedFile } from "../run/plan/file_digests.ts";
import { readPlanFile } from "../run/plan/plan_file.ts";
import { PAIR_START, parsePairs } from "./data_flags.ts";
import { deployReporter } from "./deploy_reporter.ts";
import { addDeployCommand } from "./deploy_program.ts";
import { collect, targetLoader } from "./target_options.ts";

/** What the plan commands need from the program. */
export interface PlanCommandOptions {
  io: CliIo;
  context: ConnectorContext;
  registry: ConnectorRegistry;
  setCode: (code: number) => void;
}

/** `-v`, counted. */
function verbosity(_value: string, previous: number): number {
  return previous + 1;
}

/**
 * `argv` (a plan's deploy command line) with each secret `--data` value the
 * plan masked as `***` filled from `given` (`--data K=V` of `skiff apply`).
 * A masked value not given, or a given key the plan did not mask, is an
 * InputError naming the plan `file`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { fillSecretData } from "./plan_cmd.ts";
 * deepStrictEqual(
 *   fillSecretData(["deploy", "web1", "w.ts", "--data", "ssh_user=x,ssh_password=***"], ["ssh_password=pw"], "p.json"),
 *   ["deploy", "web1", "w.ts", "--data", "ssh_user=x,ssh_password=pw"],
 * );
 * ```
 */
export function fillSecretData(
  argv: readonly string[],
  given: readonly string[],
  file: string,
): string[] {
  const values = parsePairs(given, "--data", false) as Record<string, string>;
  const used = new Set<string>();
  const missing: string[] = [];
  const fill = (pairs: string) =>
    pairs.split(PAIR_START).map((pair) => {
      const key = pair.slice(0, pair.indexOf("=")).trim();
      if (pair.slice(pair.indexOf("=") + 1) !== "***") return pair;
      if (!(key in values)) {
        missing.push(key);
        return pair;
      }
      used.add(key);
      return `${pair.slice(0, pair.indexOf("="))}=${values[key]}`;
    }).join(",");
  const out = argv.map((arg, i) =>
    argv[i - 1] === "--data"
      ? fill(arg)
      : arg.startsWith("--data=")
      ? `--data=${fill(arg.slice(7))}`
      : arg
  );
  if (missing.length > 0) {
    throw new InputError(
      `Plan ${file} was made with --data ${
        missing[0]
      } on the command line, a secret the plan does not keep: ` +
        `give it again with skiff apply ${file} --data ${missing[0]}=…`,
    );
  }
  const extra = Object.keys(values).find((key) => !used.has(key));
  if (extra !== undefined) {
    throw new InputError(
      `--data ${extra}: plan ${file} has no secret ${extra} to give (a plan applies the data it was made with)`,
    );
  }
  return out;
}

/** Adds `plan show` and `apply` to `program`. */
export function addPlanCommands(
  program: Command,
  { io, context, registry, setCode }: PlanCommandOptions,
): void {
  const absolute = (path: string) => path.startsWith("/") ? path : `${io.cwd}/${path}`;
  const plan = program.command("plan").description("show saved plans (skiff deploy --plan FILE)");
  plan.command("show")
    .description("print a saved plan as its dry run printed it")
    .argument("<file>", "a plan written by skiff deploy --plan")
    .option("--diff", "show unified diffs of file changes")
    .option("--json", "write the dry run's JSON events, one per line")
    .option("-v, --verbose", "show commands", verbosity, 0)
    .action(async (file, flags) => {
      const saved = await readPlanFile(absolute(file), file);
      const report = deployReporter({
        json: flags.json ?? false,
        diff: (flags.diff ?? false) || saved.display.diff,
        verbosity: Math.max(Number(flags.verbose), saved.display.verbosity),
      }, io);
      for (const event of saved.events) report(event);
      setCode(0);
    });

  program.command("apply")
    .description("apply a saved plan: a host whose operations now differ from it stops (drift)")
    .argument("<file>", "a plan written by skiff deploy --plan")
    .option("--diff", "show unified diffs of file changes")
    .option("--json", "write one JSON event per line to stdout, nothing else")
    .option("-v, --verbose", "show commands (-vv: and their output)", verbosity, 0)
    .addOption(
      new Option("--table <hosts>", "summary table: short lists failed and changed hosts past 20")
        .choices(["short", "full"] as const),
    )
    .option(
      "--data <K=V>",
      "give again a secret --data value the plan left out as *** (repeatable)",
      collect,
    )
    .action(async (file, flags) => {
      const saved = await readPlanFile(absolute(file), file);
      const argv = fillSecretData(saved.argv, flags.data ?? [], file);
      // Before the fleet's boats and connector modules run: the files must be those planned.
      const changed = await changedFile(saved.files);
      if (changed !== undefined) {
        throw new InputError(`Plan ${file} cannot be applied: ${changed}: make the plan again`);
      }
      const planIo: CliIo = { ...io, cwd: saved.cwd };
      const inner = new Command()
        .name("skiff")
        .exitOverride()
        .configureOutput({ writeOut: io.out, writeErr: io.err });
      addDeployCommand(inner, {
        io: planIo,
        context,
        load: targetLoader(planIo, registry),
        argv,
        setCode,
        applying: {
          plan: saved,
          file,
          diff: flags.diff ?? false,
          json: flags.json ?? false,
          verbosity: Number(flags.verbose),
          fullTable: flags.table === "full",
        },
      });
      await inner.parseAsync(argv, { from: "user" });
    });
}
