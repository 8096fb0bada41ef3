/**
 * Service operations. Under systemd (PID 1) they use `systemctl`; on hosts
 * without it (containers, chroots, other inits) they start and stop through
 * the init script (`service NAME …` or `/etc/init.d/NAME …`) and enable with
 * `systemctl --root=/` or `update-rc.d`, or say exactly what is missing.
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { OperationResult, ServiceFact, ServiceOptions } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { running as systemdRunning, service as serviceFact, unitNames } from "../facts/systemd.ts";
import { type OpContext, ResultBuilder, runRecorded } from "./context.ts";
import { put } from "./files.ts";
import {
  predict,
  type PredictedService,
  predictService,
  serviceKey,
  type ServiceState,
} from "./predicted_facts.ts";
import { type Known, known, StateUnknown, UNKNOWN } from "./predicted_state.ts";

type Action = "start" | "stop" | "restart" | "reload";

/** What the commands that act on a service are chosen by. */
type ServiceTools = Pick<
  ServiceFact,
  "systemd" | "systemctl" | "initScript" | "serviceCommand" | "updateRcD"
>;

/** The command that starts, stops, restarts or reloads a service, given its facts. */
export function serviceCommand(
  name: string,
  action: Action,
  fact: ServiceTools,
  host: string,
): Command {
  const { unit, script } = unitNames(name);
  if (fact.systemd) return sh`systemctl ${action} ${unit}`;
  if (fact.initScript) {
    return fact.serviceCommand
      ? sh`service ${script} ${action}`
      : sh`${`/etc/init.d/${script}`} ${action}`;
  }
  throw new OperationError(
    `systemd.service: cannot ${action} ${unit} on ${host}: systemd is not running there (no /run/systemd/system) and there is no /etc/init.d/${script} to fall back to`,
  );
}

/** The command that enables or disables a service at boot, given its facts. */
export function enableCommand(
  name: string,
  enable: boolean,
  fact: ServiceTools,
  host: string,
): Command {
  const { unit, script } = unitNames(name);
  const verb = enable ? "enable" : "disable";
  if (fact.systemd) return sh`systemctl ${verb} ${unit}`;
  if (fact.systemctl) return sh`systemctl --root=/ ${verb} ${unit}`;
  if (fact.updateRcD && fact.initScript) {
    return enable
      ? sh`update-rc.d ${script} defaults && update-rc.d ${script} enable`
      : sh`update-rc.d ${script} disable`;
  }
  throw new OperationError(
    `systemd.service: cannot ${verb} ${unit} on ${host}: systemd is not running there, systemctl is not installed, and ${
      fact.updateRcD ? `there is no /etc/init.d/${script}` : "update-rc.d is not installed"
    }`,
  );
}

function checkOptions(options: ServiceOptions & { service: string }): string {
  if (
    typeof options.service !== "string" ||
    !/^[A-Za-z0-9@_.:][A-Za-z0-9@_.:-]*$/.test(options.service)
  ) {
    throw new InputError(
      `systemd.service: service must be a unit name such as "nginx", got ${
        JSON.stringify(options.service)
      }`,
    );
  }
  for (const key of ["running", "enabled", "restarted", "reloaded", "daemonReload", "changed"]) {
    const value = (options as unknown as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== "boolean") {
      throw new InputError(`systemd.service: ${key} must be true or false`);
    }
  }
  return options.service;
}

/**
 * `systemd.service(service, {running, enabled, restarted, reloaded, daemonReload, changed})`.
 * Starts or stops only when the state differs; restarts (or reloads) a service
 * that was already running when `restarted`/`reloaded` is set or `changed` is
 * true — with `changed` given, only when it is true.
 */
export async function service(
  ctx: OpContext,
  options: ServiceOptions & { service: string },
): Promise<OperationResult> {
  const name = checkOptions(options);
  const builder = new ResultBuilder();
  const host = ctx.session.name;
  let fact = await readService(ctx, name);
  if (options.daemonReload && fact.systemd && !ctx.dryRun) {
    await runRecorded(ctx, sh`systemctl daemon-reload`, builder);
    ctx.session.invalidateFacts("systemd.");
    fact = await ctx.session.hostFact(serviceFact, name);
  }
  // In a dry run a field may be unknown (after a reboot, say): reading it makes the outcome depend on it.
  const need = <T>(value: Known<T>): T =>
    known(value, serviceKey(name), ctx.prediction?.cause ?? "an earlier change");
  const diff: string[] = [];
  const apply = async (command: () => Command, description: string) => {
    builder.change(description);
    if (ctx.dryRun) command(); // a dry run fails where the run would: nothing to start it with
    else await runRecorded(ctx, command(), builder);
  };
  const next: ServiceState = {};
  let started = false;
  if (options.running !== undefined && need(fact.active) !== options.running) {
    const action = options.running ? "start" : "stop";
    await apply(
      () => serviceCommand(name, action, fact, host),
      `${action === "start" ? "started" : "stopped"} ${name}`,
    );
    const was = stateName(need(fact.active), "running", "stopped");
    diff.push(`${name}: ${was} → ${options.running ? "running" : "stopped"}`);
    next.active = options.running;
    started = options.running;
  }
  const bounce = options.changed === undefined
    ? options.restarted || options.reloaded
    : options.changed;
  if (bounce && options.running !== false && !started) {
    const action = options.reloaded && !options.restarted ? "reload" : "restart";
    await apply(() => serviceCommand(name, action, fact, host), `${action}ed ${name}`);
    diff.push(`${name}: ${action}ed`);
    // Restarting a stopped service starts it.
    if (action === "restart") next.active = true;
  }
  if (options.enabled !== undefined && need(fact.enabled) !== options.enabled) {
    const enabledState = need(fact.enabledState);
    const fixed = enabledState === "static" || enabledState === "indirect" ||
      enabledState === "generated";
    if (!fixed) {
      await apply(
        () => enableCommand(name, options.enabled!, fact, host),
        `${options.enabled ? "enabled" : "disabled"} ${name}`,
      );
      const was = stateName(need(fact.enabled), "enabled", "disabled");
      diff.push(`${name}: ${was} → ${options.enabled ? "enabled" : "disabled"}`);
      next.enabled = options.enabled;
      next.enabledState = options.enabled ? "enabled" : "disabled";
    }
  }
  // Stated whole (a restart or reload changes no state but is still a change the dry run states).
  if (builder.changed) {
    predict(ctx, serviceKey(name), {
      active: next.active ?? fact.active,
      enabled: next.enabled ?? fact.enabled,
      enabledState: next.enabledState ?? fact.enabledState,
    });
  }
  if (ctx.wantDiff && diff.length > 0) builder.diff(diff.join("\n"));
  if (builder.changed && !ctx.dryRun) ctx.session.invalidateFacts("systemd.");
  const shown = (value: Known<boolean | null>, yes: string, no: string) =>
    value === null || value === UNKNOWN ? null : value ? yes : no;
  const state = [
    shown(fact.active, "running", "stopped"),
    shown(fact.enabled, "enabled", "disabled"),
  ].filter(Boolean).join(", ");
  return builder.done(`${name} is ${state || "as wanted"}`);
}

/** `running`/`stopped` (or `enabled`/`disabled`) for a known state, `unknown` for null. */
function stateName(value: boolean | null, yes: string, no: string): string {
  return value === null ? "unknown" : value ? yes : no;
}

/** `systemd.unit(name, content, {path})`: writes a unit file and reloads systemd when it changed. */
export async function unit(
  ctx: OpContext,
  name: unknown,
  content: unknown,
  options: { path?: string },
): Promise<OperationResult> {
  if (typeof name !== "string" || !/^[A-Za-z0-9@_.:][A-Za-z0-9@_.:-]*\.[a-z]+$/.test(name)) {
    throw new InputError(
      `systemd.unit: name must be a unit file name such as "app.service", got ${
        JSON.stringify(name)
      }`,
    );
  }
  if (typeof content !== "string") throw new InputError("systemd.unit: content must be a string");
  const dir = (options.path ?? "/etc/systemd/system").replace(/\/$/, "");
  const builder = new ResultBuilder();
  const result = await put(ctx, { content }, `${dir}/${name}`, {
    mode: "644",
    createRemoteDir: true,
  });
  builder.absorb(result);
  // A new or changed unit file: what systemd says of its enablement is not predicted.
  if (result.changed) predict(ctx, serviceKey(name), { enabled: UNKNOWN, enabledState: UNKNOWN });
  if (result.changed && !ctx.dryRun) {
    if (await ctx.session.hostFact(systemdRunning)) {
      await runRecorded(ctx, sh`systemctl daemon-reload`, builder);
    }
    ctx.session.invalidateFacts("systemd.");
  }
  return builder.done(result.description);
}

/** A service's state: the host's in a real run; in a dry run the predicted one, fields maybe unknown. */
async function readService(ctx: OpContext, name: string): Promise<PredictedService> {
  if (!ctx.prediction) return await ctx.session.hostFact(serviceFact, name);
  const predicted = await predictService(
    ctx.prediction.state,
    name,
    () => ctx.session.hostFact(serviceFact, name),
  );
  if ("unknown" in predicted) throw new StateUnknown(serviceKey(name), predicted.unknown);
  return predicted.value;
}
