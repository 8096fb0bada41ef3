/**
 * Services under init systems other than systemd: `sysvinit.service`
 * (/etc/init.d scripts, `update-rc.d` or `chkconfig`) and `openrc.service`
 * (`rc-service`, `rc-update`). One plan for both; each init system gives
 * the commands that read and change a service.
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { OperationResult, ServiceOptions } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { predict, readKey, serviceKey, type ServiceState } from "./predicted_facts.ts";
import { known, UNKNOWN } from "./predicted_state.ts";

/** The options of `sysvinit.service` and `openrc.service`. */
export type InitServiceOptions = Omit<ServiceOptions, "daemonReload"> & {
  service: string;
  runlevel?: string;
};

/** What an init system gives the plan. */
interface InitSystem {
  /** The operation's name, for messages. */
  op: string;
  /** Prints `status=CODE` (the status action's exit code) and `enabled=yes|no`; fails when there is no such service. */
  read(name: string, runlevel: string): Command;
  /** Whether the status action's exit code means running; undefined when it cannot tell. */
  running(status: number): boolean | undefined;
  /** Starts, stops, restarts or reloads. */
  action(name: string, action: string): Command;
  /** Enables or disables at boot. */
  enable(name: string, on: boolean, runlevel: string): Command;
}

const SYSVINIT: InitSystem = {
  op: "sysvinit.service",
  read: (name) =>
    sh`s=/etc/init.d/${name}
if [ ! -x "$s" ]; then echo "sysvinit.service: there is no executable $s" >&2; exit 1; fi
"$s" status >/dev/null 2>&1; echo "status=$?"
if ls /etc/rc[2345].d/S[0-9][0-9]${name} >/dev/null 2>&1; then echo enabled=yes; else echo enabled=no; fi`,
  // LSB: 0 running; 1 to 3 not running (dead with a pid or lock file, or stopped); 4 unknown.
  running: (status) => status === 0 ? true : status <= 3 ? false : undefined,
  action: (name, action) =>
    sh`if command -v service >/dev/null 2>&1; then service ${name} ${action}; else ${`/etc/init.d/${name}`} ${action}; fi`,
  enable: (name, on) =>
    sh`if command -v update-rc.d >/dev/null 2>&1; then ${
      on
        ? sh`update-rc.d ${name} defaults && update-rc.d ${name} enable`
        : sh`update-rc.d ${name} disable`
    }
elif command -v chkconfig >/dev/null 2>&1; then chkconfig ${name} ${on ? "on" : "off"}
else echo "sysvinit.service: neither update-rc.d nor chkconfig is installed" >&2; exit 1; fi`,
};

const OPENRC: InitSystem = {
  op: "openrc.service",
  read: (name, runlevel) =>
    sh`if ! command -v rc-service >/dev/null 2>&1; then echo "openrc.service: rc-service is not installed" >&2; exit 1; fi
if [ ! -e /etc/init.d/${name} ]; then echo "openrc.service: there is no /etc/init.d/"${name} >&2; exit 1; fi
rc-service ${name} status >/dev/null 2>&1; echo "status=$?"
if [ -e /etc/runlevels/${runlevel}/${name} ]; then echo enabled=yes; else echo enabled=no; fi`,
  // 0 started; anything else (3 stopped, or crashed, inactive) is not running.
  running: (status) => status === 0,
  action: (name, action) => sh`rc-service ${name} ${action}`,
  enable: (name, on, runlevel) => sh`rc-update ${on ? "add" : "del"} ${name} ${runlevel}`,
};

function checked(op: string, options: InitServiceOptions): { name: string; runlevel: string } {
  const name = options.service;
  if (typeof name !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(name)) {
    throw new InputError(
      `${op} service: expected a service name such as "nginx", got ${JSON.stringify(name)}`,
    );
  }
  for (const key of ["running", "enabled", "restarted", "reloaded", "changed"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") {
      throw new InputError(
        `${op} ${key}: expected true or false, got ${JSON.stringify(options[key])}`,
      );
    }
  }
  const runlevel = options.runlevel ?? "default";
  if (typeof runlevel !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(runlevel)) {
    throw new InputError(
      `${op} runlevel: expected a runlevel name, got ${JSON.stringify(runlevel)}`,
    );
  }
  return { name, runlevel };
}

/** Starts or stops, restarts or reloads, enables or disables, each only when needed. */
async function manage(
  ctx: OpContext,
  init: InitSystem,
  options: InitServiceOptions,
): Promise<OperationResult> {
  const { name, runlevel } = checked(init.op, options);
  const builder = new ResultBuilder();
  const key = serviceKey(name);
  const now = await readKey<ServiceState>(ctx, key, async () => {
    const fields = Object.fromEntries(
      (await runScript(ctx, init.read(name, runlevel), builder)).map((line) => line.split("=")),
    );
    const running = init.running(Number(fields.status));
    if (running === undefined) {
      throw new OperationError(
        `${init.op}: the status of ${name} is unknown on ${ctx.session.name} (its status action exited ${fields.status})`,
      );
    }
    return { active: running, enabled: fields.enabled === "yes" };
  });
  // A state an earlier operation left partly stated (a unit file written) is unknown here.
  const cause = ctx.prediction?.cause;
  const active = known(now.active ?? UNKNOWN, key, cause) === true;
  const enabled = known(now.enabled ?? UNKNOWN, key, cause) === true;
  const next = { active, enabled };
  const diff: string[] = [];
  const run = async (command: Command, change: string) => {
    builder.change(change);
    diff.push(`${name}: ${change.split(" ")[0]}`);
    if (!ctx.dryRun) await runRecorded(ctx, command, builder);
  };
  if (options.running !== undefined && active !== options.running) {
    const action = options.running ? "start" : "stop";
    await run(init.action(name, action), `${options.running ? "started" : "stopped"} ${name}`);
    next.active = options.running;
  } else if (
    options.running !== false &&
    (options.changed === undefined ? options.restarted || options.reloaded : options.changed)
  ) {
    const action = options.reloaded && !options.restarted ? "reload" : "restart";
    await run(init.action(name, action), `${action}ed ${name}`);
    if (action === "restart") next.active = true;
  }
  if (options.enabled !== undefined && enabled !== options.enabled) {
    await run(
      init.enable(name, options.enabled, runlevel),
      `${options.enabled ? "enabled" : "disabled"} ${name}`,
    );
    next.enabled = options.enabled;
  }
  if (builder.changed) {
    predict(ctx, key, { ...next, enabledState: next.enabled ? "enabled" : "disabled" });
    if (ctx.wantDiff) builder.diff(diff.join("\n"));
  }
  const shown = `${active ? "running" : "stopped"}, ${enabled ? "enabled" : "disabled"}`;
  return builder.done(`${name} is ${shown}`);
}

/**
 * `sysvinit.service(service, {running, enabled, restarted, reloaded,
 * changed})`: through /etc/init.d/SERVICE (with `service` when installed);
 * running as its `status` action's exit code says (LSB: 0 running, 1 to 3
 * not); enabled when an /etc/rc[2-5].d start link exists, changed with
 * `update-rc.d` (else `chkconfig`).
 */
export function sysvinitService(
  ctx: OpContext,
  options: InitServiceOptions,
): Promise<OperationResult> {
  return manage(ctx, SYSVINIT, options);
}

/**
 * `openrc.service(service, {running, enabled, runlevel, restarted,
 * reloaded, changed})`: `rc-service SERVICE start|stop|restart|reload`
 * (running as `rc-service SERVICE status` says), and `rc-update add|del
 * SERVICE RUNLEVEL` (enabled when /etc/runlevels/RUNLEVEL/SERVICE exists;
 * the runlevel is `default` unless given).
 */
export function openrcService(
  ctx: OpContext,
  options: InitServiceOptions,
): Promise<OperationResult> {
  return manage(ctx, OPENRC, options);
}
