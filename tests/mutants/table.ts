/**
 * The mutation table: one-line bugs in things the README promises, each with
 * the test files that must catch it. `deno task mutants` applies them one at
 * a time to a scratch copy; a mutant the tests do not catch is a survivor.
 * Later issues add rows for what they build.
 *
 * @module
 */

/** One one-line bug. */
export interface Mutant {
  /** Short name. */
  id: string;
  /** The file, from the repository root. */
  file: string;
  /** Text that occurs exactly once in the file. */
  original: string;
  /** What it becomes. */
  replacement: string;
  /** Test files (from the root) that must fail with it. */
  tests: string[];
}

/** Every row, in a fixed order (CI samples by index). */
export const MUTANTS: readonly Mutant[] = [
  {
    id: "diff-unmasked",
    file: "lib/run/host_run.ts",
    original: "if (result.diff) result.diff = session.mask(result.diff);",
    replacement: "if (result.diff) result.diff = `${result.diff}`;",
    tests: ["tests/cli/template_cli_test.ts"],
  },
  {
    id: "host-data-secrets-not-collected",
    file: "lib/run/session.ts",
    original: "collectSecrets(host.data, this.#secrets);",
    replacement: "void host.data;",
    tests: ["tests/cli/exec_cli_test.ts"],
  },
  {
    id: "temp-file-not-beside-destination",
    file: "connectors/_shared.ts",
    original: "return `${dir}.${base}.skiff-${random}`;",
    replacement: "return `/tmp/.${base}.skiff-${random}`;",
    tests: ["tests/connectors/temp_name_test.ts", "tests/connectors/cross_fs_put_test.ts"],
  },
  {
    id: "kit-form-default-export-ignored",
    file: "connectors/kit.ts",
    original: 'if (typeof made === "function" && !isConnectorClass(made)) {',
    replacement: 'if (typeof made === "string") {',
    tests: ["tests/connectors/kit_test.ts"],
  },
  {
    id: "chroot-put-moves-a-failed-source",
    file: "connectors/chroot.ts",
    original: "        () => stop.abort(),",
    replacement: "        () => {},",
    tests: ["tests/connectors/chroot_test.ts"],
  },
  {
    id: "glob-question-mark-any-run",
    file: "lib/core/glob.ts",
    original: 'else if (char === "?") source += any;',
    replacement: 'else if (char === "?") source += `${any}*`;',
    tests: ["tests/core/glob_test.ts", "tests/inventory/limits_test.ts"],
  },
  {
    id: "empty-black-list-blocks-nothing",
    file: "lib/inventory/restrictions.ts",
    original: "if (Object.keys(black).length === 0) return",
    replacement: "if (Object.keys(black).length === -1) return",
    tests: ["tests/inventory/merge_test.ts", "tests/run/runner_test.ts"],
  },
  {
    id: "allow-list-ignored",
    file: "lib/inventory/restrictions.ts",
    original: "if (allow !== undefined && allow[deploy] !== true) {",
    replacement: "if (allow === null) {",
    tests: ["tests/run/runner_test.ts"],
  },
  {
    id: "sandbox-may-write",
    file: "lib/sandbox/worker_permissions.ts",
    original: "    write: false,",
    replacement: "    write: true,",
    tests: ["tests/sandbox/boat_sandbox_test.ts"],
  },
  {
    id: "sandbox-may-read-everything",
    file: "lib/sandbox/worker_permissions.ts",
    original: "    read: [...read],",
    replacement: "    read: true,",
    tests: ["tests/cli/deploy_cli_test.ts"],
  },
  {
    id: "sandbox-sys",
    file: "lib/sandbox/worker_permissions.ts",
    original: "    sys: false,",
    replacement: "    sys: true,",
    tests: ["tests/cli/deploy_cli_test.ts", "tests/sandbox/boat_sandbox_test.ts"],
  },
  {
    id: "retries-ignored",
    file: "lib/run/session.ts",
    original: "const retries = args._retries ?? 0;",
    replacement: "const retries = 0;",
    tests: ["tests/run/control_flow_test.ts", "tests/cli/exec_cli_test.ts"],
  },
  {
    id: "if-never-skips",
    file: "lib/run/host_run.ts",
    original: "if (!(await conditionHolds(control._if))) return notRun();",
    replacement: "if (!(await conditionHolds(true))) return notRun();",
    tests: ["tests/run/control_flow_test.ts"],
  },
  {
    id: "quote-keeps-single-quote",
    file: "lib/core/command.ts",
    original: "return `'${text.replaceAll(\"'\", `'\"'\"'`)}'`;",
    replacement: "return `'${text}'`;",
    tests: ["tests/core/command_test.ts"],
  },
  {
    id: "chdir-unquoted",
    file: "lib/core/unix_command.ts",
    original: "inner = Command.join([sh`cd ${args._chdir}`,",
    replacement: "inner = Command.join([Command.of(`cd ${args._chdir}`),",
    tests: ["tests/core/unix_command_test.ts"],
  },
  {
    id: "sudo-may-prompt",
    file: "lib/core/unix_command.ts",
    original: '"sudo -H -A -k" : "sudo -H -n"',
    replacement: '"sudo -H -A -k" : "sudo -H"',
    tests: ["tests/core/unix_command_test.ts"],
  },
  {
    id: "changed-host-key-accepted",
    file: "connectors/ssh/host_keys.ts",
    original: "return `Host key of ${target} has CHANGED",
    replacement: "return undefined && `Host key of ${target} has CHANGED",
    tests: ["tests/connectors/ssh/host_keys_test.ts"],
  },
  {
    id: "process-group-not-killed",
    file: "lib/process.ts",
    original: 'Deno.kill(-pid, "SIGKILL");',
    replacement: 'Deno.kill(pid, "SIGKILL");',
    tests: ["tests/connectors/local_test.ts"],
  },
  {
    id: "fleet-error-position-lost",
    file: "lib/inventory/parse.ts",
    original: "return counter.linePos(node.range[0]);",
    replacement: "return counter.linePos(0);",
    tests: ["tests/inventory/fleet_test.ts"],
  },
  {
    id: "positional-options-slide",
    file: "lib/operations/registry.ts",
    original: "const positional = Array.from({ length: spec.positional }, (_, i) => args[i]);",
    replacement: "const positional = args.slice(0, spec.positional);",
    tests: ["tests/cli/template_cli_test.ts"],
  },
  {
    id: "exec-bypasses-session",
    file: "lib/cli/exec_cmd.ts",
    original: '(event.stream === "stdout" ? io.out : io.err)(`${prefix}${event.line}\\n`);',
    replacement:
      '(event.stream === "stdout" ? io.out : io.err)(`${prefix}${event.line.replaceAll("***", "tok-9f8e7d")}\\n`);',
    tests: ["tests/cli/exec_cli_test.ts"],
  },
  {
    id: "sigterm-ignored",
    file: "main.ts",
    original: 'Deno.addSignalListener("SIGTERM", stop(143));',
    replacement: "",
    tests: ["tests/cli/signals_test.ts"],
  },
  {
    id: "secret-prompt-echoes",
    file: "lib/cli/terminal_prompt.ts",
    original: "  terminal.setRaw(true);",
    replacement: "  terminal.setRaw(false);",
    tests: ["tests/cli/secret_prompt_test.ts"],
  },
  {
    id: "privileges-stack-silently",
    file: "lib/core/privilege.ts",
    original: "    if (chosen.length > 1) {",
    replacement: "    if (chosen.length > 9) {",
    tests: ["tests/core/privilege_test.ts"],
  },
  {
    id: "local-path-grant-ignored",
    file: "lib/operations/local_paths.ts",
    original: "if (!roots.some((root) => inside(resolved, root))) {",
    replacement: "if (roots.length < 0) {",
    tests: ["tests/operations/local_paths_test.ts", "tests/cli/local_paths_cli_test.ts"],
  },
  {
    id: "local-path-not-resolved",
    file: "lib/operations/local_paths.ts",
    original: "const resolved = realLocalPath(absolute);",
    replacement: "const resolved = absolute;",
    tests: ["tests/operations/local_paths_test.ts", "tests/cli/local_paths_cli_test.ts"],
  },
  {
    id: "local-path-sibling-granted",
    file: "lib/operations/local_paths.ts",
    original: 'return root === "/" || path === root || path.startsWith(`${root}/`);',
    replacement: 'return root === "/" || path === root || path.startsWith(root);',
    tests: ["tests/operations/local_paths_test.ts", "tests/cli/local_paths_cli_test.ts"],
  },
  {
    id: "files-get-write-undeclared",
    file: "lib/operations/registry.ts",
    original: 'localPaths: [{ at: 1, access: "write" }],',
    replacement: "localPaths: [],",
    tests: ["tests/operations/local_paths_test.ts"],
  },
  {
    id: "ansible-first-alias-wins",
    file: "lib/inventory/boats/ansible/to_skiff.ts",
    original:
      "for (const name of names) if (vars[name] !== undefined && vars[name] !== null) value = vars[name];",
    replacement:
      "for (const name of names) if (value === undefined && vars[name] !== undefined) value = vars[name];",
    tests: ["tests/inventory/ansible_to_skiff_test.ts"],
  },
  {
    id: "ansible-group-vars-files-ignored",
    file: "lib/inventory/boats/ansible/resolve.ts",
    original: "for (const name of sorted) vars = { ...vars, ...files.groups.get(name) };",
    replacement: "",
    tests: ["tests/inventory/ansible_corpus_test.ts"],
  },
  {
    id: "ansible-priority-ignored",
    file: "lib/inventory/boats/ansible/resolve.ts",
    original: "inventory.groups.get(a)!.priority - inventory.groups.get(b)!.priority ||",
    replacement: "",
    tests: ["tests/inventory/ansible_corpus_test.ts"],
  },
  {
    id: "barrier-does-not-wait",
    file: "lib/run/coordinator.ts",
    original: "        if (barrier.arrived.has(name)) continue;\n        ready = false;",
    replacement: "        if (barrier.arrived.has(name)) continue;\n        ready = true;",
    tests: ["tests/run/coordination_test.ts"],
  },
  {
    id: "run-once-runs-everywhere",
    file: "lib/run/coordinator.ts",
    original: "    let running = this.#once.get(key);",
    replacement: "    let running: Promise<{ host: string; value: unknown }> | undefined;",
    tests: ["tests/run/coordination_test.ts"],
  },
  {
    id: "handler-runs-per-notify",
    file: "lib/sandbox/handlers.ts",
    original: "if (!this.#notified.delete(name)) continue;",
    replacement: "if (!this.#notified.has(name)) continue;",
    tests: ["tests/run/coordination_test.ts"],
  },
  {
    id: "serial-ignored",
    file: "lib/run/batches.ts",
    original: "  if (serial === undefined) return [[...hosts]];",
    replacement: "  if (serial !== null) return [[...hosts]];",
    tests: ["tests/run/batches_test.ts", "tests/run/coordination_test.ts"],
  },
  {
    id: "jinja-empty-list-true",
    file: "lib/operations/jinja/py.ts",
    original: "if (Array.isArray(v)) return v.length > 0;",
    replacement: "if (Array.isArray(v)) return true;",
    tests: ["tests/operations/template_corpus_test.ts"],
  },
  {
    id: "jinja-lists-compared-by-reference",
    file: "lib/operations/jinja/py.ts",
    original: "return a.length === b.length && a.every((x, i) => eq(x, b[i]));",
    replacement: "return a === b;",
    tests: ["tests/operations/template_corpus_test.ts"],
  },
  {
    id: "jinja-none-printed-under-ansible",
    file: "lib/operations/jinja/engine.ts",
    original: "noneAsEmpty: ansible,",
    replacement: "noneAsEmpty: false,",
    tests: ["tests/operations/template_corpus_test.ts", "tests/operations/template_local_test.ts"],
  },
  {
    id: "jinja-trim-blocks-off-by-default",
    file: "lib/operations/jinja/engine.ts",
    original: "trimBlocks: options.trimBlocks ?? true,",
    replacement: "trimBlocks: options.trimBlocks ?? false,",
    tests: ["tests/operations/template_corpus_test.ts", "tests/operations/template_local_test.ts"],
  },
  {
    id: "jinja-comment-keeps-newline",
    file: "lib/operations/jinja/lexer.ts",
    original: 'else if (endModifier !== "+" && options.trimBlocks && type !== "{") {',
    replacement: 'else if (endModifier !== "+" && options.trimBlocks && type === "%") {',
    tests: ["tests/operations/template_corpus_test.ts"],
  },
  {
    id: "jinja-indent-pads-blank-lines",
    file: "lib/operations/jinja/filters.ts",
    original: 'if (lines.length) rv += "\\n" + lines.map((l) => (l ? pad + l : l)).join("\\n");',
    replacement: 'if (lines.length) rv += "\\n" + lines.map((l) => pad + l).join("\\n");',
    tests: ["tests/operations/template_corpus_test.ts"],
  },
  {
    id: "run-lock-not-taken",
    file: "lib/run/with_host.ts",
    original: "if (options.lock) {",
    replacement: "if (options.lock && false) {",
    tests: ["tests/run/run_lock_test.ts"],
  },
  {
    id: "run-lock-not-released",
    file: "lib/run/with_host.ts",
    original: "  await release();",
    replacement: "  void release;",
    tests: ["tests/run/run_lock_test.ts"],
  },
  {
    id: "run-lock-live-holder-taken-over",
    file: "lib/run/_host_lock.ts",
    original:
      "answer.holder.controller === lock.owner.controller && !await lock.alive(answer.holder.pid)",
    replacement: "answer.holder.controller === lock.owner.controller",
    tests: ["tests/run/run_lock_test.ts"],
  },
  {
    id: "run-lock-taken-by-dry-run",
    file: "lib/run/runner.ts",
    original: "const lock = request.dryRun",
    replacement: "const lock = false",
    tests: ["tests/run/run_lock_test.ts"],
  },
  {
    id: "output-kept-whole",
    file: "lib/core/output_collector.ts",
    original: "while (keep.tailSize > this.#limit && keep.tail.length - keep.tailStart > 1) {",
    replacement: "while (false) {",
    tests: ["tests/run/bounded_output_test.ts"],
  },
  {
    id: "output-collector-bypassed-over-ssh",
    file: "connectors/ssh/channels.ts",
    original: "const kept = new OutputCollector({ limit: options.outputLimit });",
    replacement: "const kept = new OutputCollector({ limit: Infinity });",
    tests: ["tests/run/bounded_output_test.ts"],
  },
  {
    id: "transfer-failure-not-operation-error",
    file: "lib/run/session.ts",
    original: "if (error instanceof OperationError || this.#signal?.aborted) throw error;",
    replacement: "throw error;",
    tests: ["tests/run/fault_files_test.ts"],
  },
  {
    id: "missing-source-unexplained",
    file: "lib/operations/registry.ts",
    original: "if (!(error instanceof Deno.errors.NotFound)) throw error;",
    replacement: "throw error;",
    tests: ["tests/run/fault_files_test.ts"],
  },
  {
    id: "host-timeout-reported-as-success",
    file: "lib/run/host_run.ts",
    original: "if (!timer.signal.aborted || request.signal?.aborted) return result;",
    replacement: "return result;",
    tests: ["tests/run/host_timeout_test.ts"],
  },
];
