import { deepStrictEqual } from "node:assert/strict";
import type { Command } from "@commander-js/extra-typings";
import { buildProgram } from "../../lib/cli/program.ts";
import type { CliIo } from "../../lib/report/io.ts";

const IO: CliIo = {
  out: () => {},
  err: () => {},
  env: () => undefined,
  isTerminal: false,
  cwd: "/",
};

// deno-lint-ignore no-explicit-any
type AnyCommand = Command<any, any, any>;

function find(root: AnyCommand, path: string[]): AnyCommand {
  let command = root;
  for (const name of path) {
    const next = command.commands.find((c) => c.name() === name);
    if (!next) throw new Error(`No command "${path.join(" ")}"`);
    command = next as AnyCommand;
  }
  return command;
}

/** The option list of a command: flags and description, in help order. */
function options(command: AnyCommand): string[] {
  return command.options.map((option) => `${option.flags}: ${option.description}`);
}

Deno.test("buildProgram() gives every command that loads targets the same target options", () => {
  const program = buildProgram(IO, () => {}) as AnyCommand;
  const target = [
    "--data <K=V>: set host data for every target, values parsed as YAML (repeatable)",
    "--limit <hosts>: only these groups, hosts or globs, comma-separated (repeatable); @FILE: the names in FILE",
    "--exclude <hosts>: leave out these groups, hosts or globs, comma-separated (repeatable)",
    "--connector <path>: load a connector module (repeatable)",
  ];
  const ssh = [
    "--user <name>: SSH user (data ssh_user)",
    "--port <n>: SSH port (data ssh_port)",
    "--key <file>: SSH private key file (data ssh_key)",
    "--password: ask for the SSH password without echo (data ssh_password)",
    "--known-hosts <file>: known_hosts file (data ssh_known_hosts_file)",
  ];
  const parallel = "--parallel <n>: hosts to work on at once (default: min(hosts, 64))";
  deepStrictEqual(options(find(program, ["exec"])).slice(0, 10), [...target, ...ssh, parallel]);
  deepStrictEqual(
    options(find(program, ["deploy"]))[4],
    "--plan <file>: make a dry run and save it as a plan: skiff apply FILE applies it",
  );
  deepStrictEqual(options(find(program, ["deploy"])).slice(6, 24), [
    ...target,
    ...ssh,
    "--table <hosts>: summary table: short lists failed and changed hosts past 20",
    "--fail-percent <n>: stop starting hosts (and batches) once more than N% of a batch have failed",
    "--serial <n>: run hosts in batches of N hosts or P% of them, one after another",
    "--strategy <name>: free: each host runs on; linear: operations in lock-step",
    "--force-handlers: run notified handlers on hosts that failed too",
    "--host-timeout <seconds>: fail a host whose deploys have not ended after this long",
    "--allow-read <path>: let deploy code and its operations read this path too (repeatable)",
    "--allow-write <path>: let operations write this local path, e.g. for files.get (repeatable)",
    parallel,
  ]);
  deepStrictEqual(options(find(program, ["facts"])).slice(0, 11), [
    "--json: print JSON",
    ...target,
    ...ssh,
    parallel,
  ]);
  deepStrictEqual(options(find(program, ["fleet", "show"])), ["--json: print JSON", ...target]);
  deepStrictEqual(options(find(program, ["fleet", "check"])), target);
});
