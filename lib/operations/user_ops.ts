/**
 * Operations a deploy defines (`ctx.defineOperation(name, plan)`, pyinfra's
 * `@operation`). The plan is the deploy's function and runs in its sandbox;
 * it looks at facts and says what to run. skiff runs the commands here, so a
 * defined operation is dry-run, retried, skipped, masked and reported like a
 * built-in one, and never runs the deploy's code with skiff's permissions.
 *
 * @module
 */

import { Command } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { hint } from "../core/data_meta.ts";
import type { OperationHost } from "./context.ts";
import { ResultBuilder } from "./context.ts";
import { type CallOptions, ignoringErrors, OPERATIONS } from "./registry.ts";
import { dependsResult, type PredictedState, UNKNOWN } from "./predicted_state.ts";
import { fileKey } from "./file_state.ts";

/** The deploy's plan, called back in its sandbox. */
export type Plan = () => Promise<unknown>;

/** What a plan says its commands may change (`effect`), checked. */
export interface PlannedEffect {
  /** Absolute paths: each, and everything under it. */
  paths: string[];
  /** Kinds of host state: accounts, groups, packages, services, sysctl keys. */
  kinds: EffectKind[];
}

/** The kinds of host state an `effect` can name, and their prefixes in the predicted state. */
const EFFECT_KINDS = {
  users: "user:",
  groups: "group:",
  packages: "package:",
  services: "service:",
  sysctl: "sysctl:",
} as const;

type EffectKind = keyof typeof EFFECT_KINDS;

/** What the plan said, checked. */
type Planned =
  | { changed: false; description: string }
  | {
    changed: true;
    commands: (string | Command)[];
    description: string;
    diff?: string;
    effect?: PlannedEffect;
  };

const SHAPE = "{ changed: false, description } or { commands, description, diff?, effect? }";

function plannedEffect(value: unknown, fail: (why: string) => never): PlannedEffect {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("effect must be an object such as { paths: [...], users: true }");
  }
  const known = ["paths", ...Object.keys(EFFECT_KINDS)];
  const effect: PlannedEffect = { paths: [], kinds: [] };
  for (const [key, item] of Object.entries(value)) {
    if (!known.includes(key)) fail(`unknown effect "${key}"${hint(key, known)}`);
    if (key === "paths") {
      const paths = Array.isArray(item) ? item : [];
      if (!Array.isArray(item) || paths.some((p) => typeof p !== "string" || !p.startsWith("/"))) {
        fail("effect.paths must be a list of absolute paths");
      }
      effect.paths = paths as string[];
    } else if (typeof item !== "boolean") fail(`effect.${key} must be true or false`);
    else if (item) effect.kinds.push(key as EffectKind);
  }
  return effect;
}

/**
 * States in a dry run what a defined operation's commands may change: with
 * an `effect`, just those paths (and what is under them) and kinds become
 * unknown; without one, anything may differ after it.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { PredictedState } from "./predicted_state.ts";
 * import { predictEffect } from "./user_ops.ts";
 * const state = new PredictedState();
 * predictEffect(state, { paths: ["/srv/app"], kinds: ["users"] }, "app.release");
 * strictEqual(state.lookup("file:/srv/app/RELEASE").from, "state");
 * strictEqual(state.lookup("user:app").from, "state");
 * strictEqual(state.lookup("file:/etc/motd").from, "host");
 * strictEqual(state.lookup("service:nginx").from, "host");
 * ```
 */
export function predictEffect(
  state: PredictedState,
  effect: PlannedEffect | undefined,
  cause: string,
): void {
  if (effect === undefined) return state.forget("", cause);
  for (const path of effect.paths) {
    state.set(fileKey(path), UNKNOWN, cause);
    state.forget(`${fileKey(path)}/`, cause);
  }
  for (const kind of effect.kinds) state.forget(EFFECT_KINDS[kind], cause);
}

function planned(name: string, value: unknown): Planned {
  const fail = (why: string): never => {
    throw new InputError(`${name}: the plan must return ${SHAPE}: ${why}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(`got ${value === undefined ? "nothing" : JSON.stringify(value)}`);
  }
  const plan = value as Record<string, unknown>;
  const known = ["changed", "commands", "description", "diff", "effect"];
  for (const key of Object.keys(plan)) {
    if (!known.includes(key)) fail(`unknown key "${key}"${hint(key, known)}`);
  }
  if (typeof plan.description !== "string" || plan.description.trim() === "") {
    fail("description must be a non-empty string");
  }
  const description = (plan.description as string).trim();
  if (plan.changed === false) {
    if (plan.commands !== undefined) fail("changed: false with commands");
    if (plan.effect !== undefined) fail("changed: false with an effect");
    return { changed: false, description };
  }
  if (plan.changed !== undefined && plan.changed !== true) fail("changed must be true or false");
  const commands = plan.commands;
  if (!Array.isArray(commands) || commands.length === 0) {
    return fail("commands must be a non-empty list (or say changed: false)");
  }
  for (const command of commands) {
    if (typeof command !== "string" && !(command instanceof Command)) {
      fail(`a command must be a string or an sh command, got ${JSON.stringify(command)}`);
    }
  }
  if (plan.diff !== undefined && typeof plan.diff !== "string") fail("diff must be a string");
  return {
    changed: true,
    commands: commands as (string | Command)[],
    description,
    ...(typeof plan.diff === "string" ? { diff: plan.diff } : {}),
    ...(plan.effect !== undefined ? { effect: plannedEffect(plan.effect, fail) } : {}),
  };
}

/**
 * Runs the defined operation `name` on a session: calls `plan` (again on
 * each retry, with fresh facts), then runs its commands in order, stopping
 * at the first that fails. A dry run calls the plan and runs nothing.
 */
export async function callUserOperation(
  session: OperationHost,
  name: string,
  plan: Plan,
  controlArgs: Record<string, unknown>,
  options: Pick<CallOptions, "dryRun" | "deployDefaults">,
): Promise<OperationResult> {
  if (OPERATIONS[name]) {
    throw new InputError(`defineOperation: "${name}" is a built-in operation; choose another name`);
  }
  const control = session.operationArguments(controlArgs, options.deployDefaults, name);
  return await ignoringErrors(control, () =>
    session.retrying(control, name, async () => {
      const result = planned(name, await plan());
      const builder = new ResultBuilder();
      // In a dry run, a plan that read a fact the dry run could not predict decided on a guess.
      if (options.dryRun && session.predicted?.taint !== undefined) {
        session.predicted.forget("", name);
        return dependsResult();
      }
      if (!result.changed) return builder.done(result.description);
      if (result.diff) builder.diff(result.diff);
      for (const command of result.commands) {
        if (options.dryRun) {
          const text = typeof command === "string" ? command : command.renderMasked();
          builder.record({ masked: session.mask(text), output: { stdout: "", stderr: "" } });
          continue;
        }
        const ran = await session.run(command, control, { ownShell: true });
        builder.record(ran);
        if (!ran.success) {
          session.invalidateFacts();
          throw new OperationError(`${name}: ${session.describeFailure(ran)}`);
        }
      }
      if (!options.dryRun) session.invalidateFacts();
      builder.change(result.description);
      // Its commands are opaque to a dry run: after them what its effect names (or anything) may differ.
      if (options.dryRun && session.predicted) {
        predictEffect(session.predicted, result.effect, `${name} ${result.description}`);
      }
      return builder.done("");
    }));
}

/** A defined operation's call (`[plan, subject, control]` from the worker) and its label. */
export function userCall(
  args: unknown[],
): { plan: Plan; control: Record<string, unknown>; label: string } {
  const [plan, subject, control] = args as [Plan, unknown, Record<string, unknown>];
  const named = typeof control?._name === "string" ? control._name.trim() : "";
  return {
    plan,
    control: control ?? {},
    label: named || (typeof subject === "string" ? subject : ""),
  };
}
