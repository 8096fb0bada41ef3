/**
 * The skiff command tree. `runCli` parses argv, runs the command and returns
 * the exit code; only `main.ts` exits.
 *
 * @module
 */

import { Command, CommanderError } from "@commander-js/extra-typings";
import meta from "../../deno.json" with { type: "json" };
import { builtinRegistry } from "../../connectors/builtin.ts";
import type { ConnectorContext } from "../../connectors/base.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { loadUserConnectors } from "../inventory/load.ts";
import { runFleetCheck, runFleetShow, runSchema } from "./fleet_cmd.ts";
import { runProcess, spawnShell } from "../process.ts";
import { type CompletionNode, completionScript } from "./completions.ts";
import { connectorsText } from "./connectors_cmd.ts";
import { opEntries, opsText } from "./ops_cmd.ts";
import { runConnectorsTest } from "./connectors_test_cmd.ts";
import {
  addControlFlags,
  controlArgumentsFromFlags,
  type ControlFlagValues,
} from "./control_flags.ts";
import { addSshFlags } from "./ssh_flags.ts";
import {
  addTargetOptions,
  collect,
  connectorOption,
  parallelOption,
  parseParallel,
  targetLoader,
} from "./target_options.ts";
import { addDeployCommand } from "./deploy_program.ts";
import { addPlanCommands } from "./plan_cmd.ts";
import { runExec } from "./exec_cmd.ts";
import { writeDeployTypes } from "./types_cmd.ts";
import { doctorReport, printDoctor } from "./doctor_cmd.ts";
import { parseFactNames, runFacts } from "./facts_cmd.ts";
import { DEFAULT_FACTS } from "../facts/registry.ts";
import type { CliIo } from "../report/io.ts";
import { hostPainter } from "../report/paint.ts";

/** skiff's version, from deno.json. */
export const VERSION: string = meta.version;

/** Builds the command tree, writing through `io`; `setCode` receives each action's exit code. */
export function buildProgram(
  io: CliIo,
  setCode: (code: number) => void,
  argv: readonly string[] = [],
) {
  const context: ConnectorContext = { runProcess, spawnShell, prompt: io.prompt };
  const registry = builtinRegistry();
  const load = targetLoader(io, registry);
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

  addDeployCommand(program, { io, context, load, argv, setCode });
  addPlanCommands(program, { io, context, registry, setCode });

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

  program.command("ops")
    .description("show every operation and fact: signature, options, defaults, an example")
    .argument("[name]", "one operation or fact, for example files.put")
    .option("--json", "print JSON")
    .action((name, flags) => {
      io.out(flags.json ? `${JSON.stringify(opEntries(name), null, 2)}\n` : opsText(name));
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
