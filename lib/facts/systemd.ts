/**
 * Service facts: whether systemd runs the host, and one service's state
 * (running, enabled) with the tools available to change it when it does not.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { ServiceFact } from "../api/mod.ts";
import type { FactDefinition } from "./fact.ts";

/**
 * A unit name and the init-script name it maps to: `nginx` → `nginx.service`
 * and `nginx`; `app.socket` stays a socket.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { unitNames } from "./systemd.ts";
 * deepStrictEqual(unitNames("nginx"), { unit: "nginx.service", script: "nginx" });
 * ```
 */
export function unitNames(name: string): { unit: string; script: string } {
  const unit = /\.[a-z]+$/.test(name) ? name : `${name}.service`;
  return { unit, script: unit.replace(/\.service$/, "") };
}

/** True when systemd is the running init (`/run/systemd/system` exists). */
export const running: FactDefinition<[], boolean> = {
  name: "systemd.running",
  signature: { params: "", returns: "boolean", description: "whether systemd is the running init" },
  command: () => "if [ -d /run/systemd/system ]; then echo yes; else echo no; fi",
  parse: (stdout) => stdout.trim() === "yes",
};

const ENABLED = new Set(["enabled", "enabled-runtime", "alias"]);
const ACTIVE = new Set(["active", "reloading", "activating", "refreshing"]);

/**
 * Parses the `key=value` lines of {@linkcode service}'s command.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseService } from "./systemd.ts";
 * deepStrictEqual(
 *   parseService("systemd=no\nsystemctl=yes\ninit-script=yes\nstatus=3\nenabled=enabled\n"),
 *   { systemd: false, active: false, enabled: true, enabledState: "enabled", systemctl: true,
 *     initScript: true, serviceCommand: false, updateRcD: false },
 * );
 * ```
 */
export function parseService(stdout: string): ServiceFact {
  const fields: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  const systemd = fields.systemd === "yes";
  const active = systemd
    ? ACTIVE.has(fields.active ?? "")
    : fields.status === undefined
    ? null
    : fields.status === "0";
  const state = fields.enabled ?? "";
  return {
    systemd,
    active,
    enabled: state === "" ? null : ENABLED.has(state),
    enabledState: state === "" ? null : state,
    systemctl: fields.systemctl === "yes",
    initScript: fields["init-script"] === "yes",
    serviceCommand: fields.service === "yes",
    updateRcD: fields["update-rc.d"] === "yes",
  };
}

/**
 * A service's state. Under systemd: `systemctl is-active`/`is-enabled`.
 * Without it: the init script's `status` (through `service` when present),
 * and enablement from `systemctl --root=/ is-enabled` or the `/etc/rc?.d`
 * start links.
 */
export const service: FactDefinition<[string], ServiceFact> = {
  name: "systemd.service",
  signature: {
    params: "name: string",
    returns: "ServiceFact",
    description: "a service's state, under systemd or an init script",
  },
  command: (name) => {
    const { unit, script } = unitNames(name);
    return sh`u=${unit}; n=${script}
has() { command -v "$1" >/dev/null 2>&1; }
if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi
has systemctl && echo systemctl=yes
has service && echo service=yes
has update-rc.d && echo update-rc.d=yes
[ -x "/etc/init.d/$n" ] && echo init-script=yes
if [ -d /run/systemd/system ]; then
  echo "active=$(systemctl is-active "$u" 2>/dev/null)"
  echo "enabled=$(systemctl is-enabled "$u" 2>/dev/null)"
else
  if [ -x "/etc/init.d/$n" ]; then
    if has service; then service "$n" status >/dev/null 2>&1; else "/etc/init.d/$n" status >/dev/null 2>&1; fi
    echo "status=$?"
  fi
  if has systemctl; then echo "enabled=$(systemctl --root=/ is-enabled "$u" 2>/dev/null)"
  elif [ -x "/etc/init.d/$n" ]; then
    if ls /etc/rc[2345].d/S[0-9][0-9]"$n" >/dev/null 2>&1; then echo enabled=enabled; else echo enabled=disabled; fi
  fi
fi
true`;
  },
  parse: parseService,
};
