/**
 * The `deploy` command's options and action, also run by `skiff apply` with
 * the command line a plan recorded.
 *
 * @module
 */

import { type Command, Option } from "@commander-js/extra-typings";
import type { ConnectorContext } from "../../connectors/base.ts";
import { InputError } from "../core/errors.ts";
import { isFleetTarget } from "../inventory/load.ts";
import type { CliIo } from "../report/io.ts";
import { parseSerial } from "../run/batches.ts";
import type { PlanDocument } from "../run/plan/plan_document.ts";
import {
  addControlFlags,
  controlArgumentsFromFlags,
  type ControlFlagValues,
} from "./control_flags.ts";
import { runDeployCommand } from "./deploy_cmd.ts";
import { maskSecretData, secretKeys } from "./rerun.ts";
import { addSshFlags } from "./ssh_flags.ts";
import {
  addTargetOptions,
  collect,
  parallelOption,
  parseParallel,
  type TargetLoader,
} from "./target_options.ts";

/** `skiff apply`: the plan it applies and how its run is shown. */
export interface ApplyingPlan {
  plan: PlanDocument;
  /** The plan file as given, for messages. */
  file: string;
  diff: boolean;
  json: boolean;
  verbosity: number;
  fullTable: boolean;
}

/** What the deploy command needs from the program. */
export interface DeployCommandOptions {
  io: CliIo;
  context: ConnectorContext;
  load: TargetLoader;
  /** The command line as typed (after `skiff`). */
  argv: readonly string[];
  setCode: (code: number) => void;
  /** Set when `skiff apply` runs the command line its plan recorded. */
  applying?: ApplyingPlan;
}

function parseHostTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(seconds > 0)) {
    throw new InputError(`--host-timeout: expected seconds above 0, got "${value}"`);
  }
  return seconds;
}

function parsePercent(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) {
    throw new InputError(`--fail-percent: expected a number from 0 to 100, got "${value}"`);
  }
  return n;
}

/** Adds `deploy` to `program`. */
export function addDeployCommand(
  program: Command,
  { io, context, load, argv, setCode, applying }: DeployCommandOptions,
) {
  return addControlFlags(
    addSshFlags(addTargetOptions(
      program.command("deploy")
        .description("run TypeScript deploy modules on every target host")
        .argument("<targets>", "comma-separated hosts (@local, @ssh/host, user@host:port)")
        .argument("<deploys...>", "deploy modules (.ts files), run in order on each host")
        .option("--dry", "gather facts and show what would change, change nothing")
        .option("--diff", "show unified diffs of file changes")
        .option("-y, --yes", "apply without asking")
        .option("--json", "write one JSON event per line to stdout, nothing else")
        .option(
          "--plan <file>",
          "make a dry run and save it as a plan: skiff apply FILE applies it",
        )
        .option(
          "-v, --verbose",
          "show commands (-vv: and their output)",
          (_v, previous: number) => previous + 1,
          0,
        ),
    ))
      .addOption(
        new Option("--table <hosts>", "summary table: short lists failed and changed hosts past 20")
          .choices(["short", "full"] as const),
      )
      .option(
        "--fail-percent <n>",
        "stop starting hosts (and batches) once more than N% of a batch have failed",
      )
      .option("--serial <n>", "run hosts in batches of N hosts or P% of them, one after another")
      .addOption(
        new Option("--strategy <name>", "free: each host runs on; linear: operations in lock-step")
          .choices(["free", "linear"] as const),
      )
      .option("--force-handlers", "run notified handlers on hosts that failed too")
      .option(
        "--host-timeout <seconds>",
        "fail a host whose deploys have not ended after this long",
      )
      .option(
        "--allow-read <path>",
        "let deploy code and its operations read this path too (repeatable)",
        collect,
      )
      .option(
        "--allow-write <path>",
        "let operations write this local path, e.g. for files.get (repeatable)",
        collect,
      )
      .addOption(parallelOption()),
  ).action(async (targets, deploys, flags) => {
    const cliArguments = controlArgumentsFromFlags(flags as ControlFlagValues);
    const inventory = await load(targets, flags);
    const absolute = (path: string) => path.startsWith("/") ? path : `${io.cwd}/${path}`;
    const shown = applying ?? {
      diff: flags.diff ?? false,
      json: flags.json ?? false,
      verbosity: Number(flags.verbose),
      fullTable: flags.table === "full",
    };
    setCode(
      await runDeployCommand({
        inventory,
        deploys,
        cliArguments,
        dryRun: applying ? false : flags.dry ?? false,
        diff: shown.diff,
        yes: applying ? true : flags.yes ?? false,
        json: shown.json,
        verbosity: shown.verbosity,
        planFile: applying ? undefined : flags.plan,
        applying: applying && { plan: applying.plan, file: applying.file },
        fleetFiles: targets.split(",").map((t) => t.trim()).filter(isFleetTarget).map(absolute),
        connectorFiles: (flags.connector ?? []).map(absolute),
        parallel: parseParallel(flags.parallel, inventory),
        failPercent: parsePercent(flags.failPercent),
        serial: flags.serial !== undefined
          ? parseSerial(flags.serial)
          : inventory.serial !== undefined
          ? parseSerial(inventory.serial, "fleet: serial")
          : undefined,
        strategy: flags.strategy ?? inventory.strategy,
        forceHandlers: flags.forceHandlers ?? false,
        hostTimeout: parseHostTimeout(flags.hostTimeout),
        allowRead: (flags.allowRead ?? []).map(absolute),
        allowWrite: (flags.allowWrite ?? []).map(absolute),
        context,
        fullTable: shown.fullTable,
        argv: maskSecretData(argv, secretKeys(inventory.registry)),
      }, io),
    );
  });
}
