/**
 * The skiff command tree. `runCli` parses argv, runs the command and returns
 * the exit code; only `main.ts` exits.
 *
 * @module
 */

import { Command, CommanderError, Option, type OptionValues } from "@commander-js/extra-typings";
import meta from "../../deno.json" with { type: "json" };
import { builtinRegistry } from "../../connectors/builtin.ts";
import type { ConnectorContext } from "../../connectors/base.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { type LoadedInventory, loadInventory, loadUserConnectors } from "../inventory/load.ts";
import { runFleetCheck, runFleetShow, runSchema } from "./fleet_cmd.ts";
import { runProcess, spawnShell } from "../process.ts";
import { type CompletionNode, completionScript } from "./completions.ts";
import { connectorsText } from "./connectors_cmd.ts";
import { runConnectorsTest } from "./connectors_test_cmd.ts";
import {
  addControlFlags,
  controlArgumentsFromFlags,
  type ControlFlagValues,
} from "./control_flags.ts";
import { parsePairs } from "./data_flags.ts";
import { addSshFlags, sshFlagData, type SshFlagValues } from "./ssh_flags.ts";
import { maskSecretData, secretKeys } from "./rerun.ts";
import { readLimitFiles } from "../inventory/limits.ts";
import { runExec } from "./exec_cmd.ts";
import { writeDeployTypes } from "./types_cmd.ts";
import { doctorReport, printDoctor } from "./doctor_cmd.ts";
import { runDeployCommand } from "./deploy_cmd.ts";
import { parseSerial } from "../run/batches.ts";
import { parseFactNames, runFacts } from "./facts_cmd.ts";
import { DEFAULT_FACTS } from "../facts/registry.ts";
import type { CliIo } from "../report/io.ts";
import { hostPainter } from "../report/paint.ts";

/** skiff's version, from deno.json. */
export const VERSION: string = meta.version;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parallelOption(): Option<"--parallel <n>", undefined, undefined, string, false> {
  return new Option("--parallel <n>", "hosts to work on at once (default: min(hosts, 64))");
}

/** `--connector`, alone for `fleet check` and with the other target options elsewhere. */
function connectorOption() {
  return new Option("--connector <path>", "load a connector module (repeatable)").argParser(
    collect,
  );
}

/** The options that choose and shape targets, shared by every command that takes them. */
const EXCLUDE_HELP = "leave out these groups, hosts or globs, comma-separated (repeatable)";

interface TargetFlags {
  data?: string[];
  limit?: string[];
  exclude?: string[];
  connector?: string[];
}

/** Adds `--data`, `--limit`, `--exclude` and `--connector` (exec, deploy, facts, fleet show). */
function addTargetOptions<
  Args extends unknown[],
  Opts extends OptionValues,
  Globals extends OptionValues,
>(
  command: Command<Args, Opts, Globals>,
) {
  return command
    .option(
      "--data <K=V>",
      "set host data for every target, values parsed as YAML (repeatable)",
      collect,
    )
    .option(
      "--limit <hosts>",
      "only these groups, hosts or globs, comma-separated (repeatable); @FILE: the names in FILE",
      collect,
    )
    .option("--exclude <hosts>", EXCLUDE_HELP, collect)
    .addOption(connectorOption());
}

function parseParallel(value: string | undefined, inventory: LoadedInventory): number {
  const hosts = inventory.hosts.length;
  if (value === undefined) return Math.max(1, inventory.parallelism || Math.min(hosts, 64));
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError(`--parallel: expected a positive integer, got "${value}"`);
  }
  return n;
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

/** Builds the command tree, writing through `io`; `setCode` receives each action's exit code. */
export function buildProgram(
  io: CliIo,
  setCode: (code: number) => void,
  argv: readonly string[] = [],
) {
  const context: ConnectorContext = { runProcess, spawnShell, prompt: io.prompt };
  const registry = builtinRegistry();
  const load = async (targets: string, flags: TargetFlags & SshFlagValues) =>
    loadInventory([targets], {
      registry,
      cliData: await sshFlagData(flags, { data: parsePairs(flags.data ?? [], "--data", true), io }),
      limits: flags.limit ?? [],
      limitFiles: await readLimitFiles(flags.limit ?? [], io.cwd),
      excludes: flags.exclude ?? [],
      connectorPaths: flags.connector ?? [],
      cwd: io.cwd,
      env: io.env,
      runProcess,
      warn: (message) => io.err(`${message}\n`),
      signal: io.signal,
    });
  const program = new Command()
    .name("skiff")
    .description(
      "Agentless infrastructure automation: TypeScript deploys over SSH, containers and chroots",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  addControlFlags(
    addSshFlags(addTargetOptions(
      program.command("exec")
        .description("run a shell command on every target host")
        .argument("<targets>", "comma-separated hosts (@local, @ssh/host, user@host:port)")
        .argument("<command...>", "the command, after --"),
    )).addOption(parallelOption()),
  ).action(async (targets, command, flags) => {
    const cliArguments = controlArgumentsFromFlags(flags as ControlFlagValues);
    const inventory = await load(targets, flags);
    const code = await runExec({
      inventory,
      command: command.join(" "),
      cliArguments,
      parallel: parseParallel(flags.parallel, inventory),
      context,
    }, io);
    setCode(code);
  });

  addControlFlags(
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
    setCode(
      await runDeployCommand({
        inventory,
        deploys,
        cliArguments,
        dryRun: flags.dry ?? false,
        diff: flags.diff ?? false,
        yes: flags.yes ?? false,
        json: flags.json ?? false,
        verbosity: Number(flags.verbose),
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
        allowRead: (flags.allowRead ?? []).map((path) =>
          path.startsWith("/") ? path : `${io.cwd}/${path}`
        ),
        allowWrite: (flags.allowWrite ?? []).map((path) =>
          path.startsWith("/") ? path : `${io.cwd}/${path}`
        ),
        context,
        fullTable: flags.table === "full",
        argv: maskSecretData(argv, secretKeys(inventory.registry)),
      }, io),
    );
  });

  addControlFlags(
    addSshFlags(addTargetOptions(
      program.command("facts")
        .description("gather facts from every target host (name:arg for facts that take one)")
        .argument("<targets>", "comma-separated hosts")
        .argument(
          "[facts...]",
          `facts such as server.os or files.stat:/etc/hosts (default: ${DEFAULT_FACTS.join(", ")})`,
        )
        .option("--json", "print JSON"),
    )).addOption(parallelOption()),
  ).action(async (targets, facts, flags) => {
    const requests = parseFactNames(facts);
    const cliArguments = controlArgumentsFromFlags(flags as ControlFlagValues);
    const inventory = await load(targets, flags);
    setCode(
      await runFacts({
        inventory,
        facts: requests,
        cliArguments,
        json: flags.json ?? false,
        parallel: parseParallel(flags.parallel, inventory),
        context,
      }, io),
    );
  });

  const fleet = program.command("fleet").description("inspect fleet files and targets");
  addTargetOptions(
    fleet.command("show")
      .description("show hosts, groups, connectors and resolved data (secrets masked)")
      .argument("<targets>", "fleet files or comma-separated hosts")
      .option("--json", "print JSON"),
  ).action(async (targets, flags) => {
    runFleetShow(await load(targets, flags), flags.json ?? false, io);
  });
  addTargetOptions(
    fleet.command("check")
      .description("validate fleet files and targets; exit 2 on errors")
      .argument("<targets>", "fleet files or comma-separated hosts"),
  ).action(async (targets, flags) => {
    runFleetCheck(await load(targets, flags), io);
  });
  program.command("schema")
    .description("print the JSON Schema of the fleet format and data keys (for editors)")
    .addOption(connectorOption())
    .action(async (flags) => {
      const paths = (flags.connector ?? []).map((p) => p.startsWith("/") ? p : `${io.cwd}/${p}`);
      runSchema(io, await loadUserConnectors(paths, registry));
    });

  program.command("doctor")
    .description("show version, permissions, ssh config/keys/agent and installed programs")
    .option("--json", "print JSON")
    .action(async (flags) => {
      printDoctor(await doctorReport(VERSION, io, runProcess), flags.json ?? false, io);
    });

  program.command("types")
    .description("write skiff.d.ts, the types of the deploy API and the connector kit")
    .argument("[path]", "a directory, or a file ending in .d.ts (default ./skiff.d.ts)")
    .action(async (file) => {
      io.out(`Wrote ${await writeDeployTypes(file, io.cwd)}\n`);
    });

  const connectors = program.command("connectors")
    .description("show connectors, their data keys and defaults, and the control arguments")
    .argument("[name]", "one connector, for example local or ssh")
    .action((name) => {
      io.out(connectorsText(registry, name));
    });
  connectors.command("test")
    .description("run the connector conformance suite against one real host")
    .argument("<target>", "one host, for example @local or @mine/x with --connector ./mine.ts")
    .option("--data <K=V>", "set host data, values parsed as YAML (repeatable)", collect)
    .addOption(connectorOption())
    .action(async (target, flags) => {
      setCode(await runConnectorsTest(await load(target, flags), context, io));
    });

  program.command("completions")
    .description("print a completion script for bash, zsh or fish")
    .argument("<shell>", "bash, zsh or fish")
    .action((shell) => {
      io.out(completionScript(program as unknown as CompletionNode, shell));
    });

  return program;
}

/**
 * Runs the CLI with `argv` (without the program name) and returns the exit
 * code: 0 ok, 1 a host failed, 2 bad input, 130 interrupted.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c), argv);
  const paint = hostPainter(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    if (io.signal?.aborted && code !== 0) return 130;
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "commander.help" || error.code === "commander.executeSubCommandAsync") {
        return 0;
      }
      return 2;
    }
    if (
      error instanceof InputError || error instanceof Deno.errors.NotCapable ||
      (error as { exitCode?: number }).exitCode === 2
    ) {
      io.err(`${paint.error("error:")} ${errorMessage(error)}\n`);
      return 2;
    }
    io.err(`${paint.error("internal error:")} ${(error as Error).stack ?? errorMessage(error)}\n`);
    return 70;
  }
}
