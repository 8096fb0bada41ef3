/**
 * pyinfra's argument names, for hints when a deploy ported from pyinfra
 * passes one skiff spells differently (`files.line(…, { replace })`,
 * `server.user(name, { user })`). The README's "Coming from pyinfra" section shows
 * the same table.
 *
 * @module
 */

import { isControlArgument } from "../core/arguments.ts";

const POSITIONAL_SRC_DEST = "source and destination are the first two arguments";

/** Operation → pyinfra argument → what skiff takes instead. */
export const PYINFRA_ARGUMENTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "files.line": {
    replace:
      'the second argument is the literal line to write, and match the regular expression of the line it replaces: files.line(path, "port=8", { match: "^port=" })',
    line: "the line is the second argument, files.line(path, line, { match })",
    flags: "give match a RegExp with its flags: { match: /^port=/i }",
  },
  "files.replace": {
    text: "the pattern is the second argument: files.replace(path, match, replacement)",
    replace: "the replacement is the third argument: files.replace(path, match, replacement)",
    flags: "give match a RegExp with its flags: files.replace(path, /^port=/im, replacement)",
  },
  "files.put": {
    src: POSITIONAL_SRC_DEST,
    dest: POSITIONAL_SRC_DEST,
    add_deploy_dir: "local paths are relative to the deploy's directory already",
  },
  "files.template": { src: POSITIONAL_SRC_DEST, dest: POSITIONAL_SRC_DEST },
  "files.get": { src: POSITIONAL_SRC_DEST, dest: POSITIONAL_SRC_DEST },
  "files.sync": { src: POSITIONAL_SRC_DEST, dest: POSITIONAL_SRC_DEST },
  "files.directory": { path: "the path is the first argument: files.directory(path, { mode })" },
  "files.file": { path: "the path is the first argument: files.file(path, { mode })" },
  "files.link": {
    path: "the link and its target are the first two arguments: files.link(path, target)",
    target: "the link and its target are the first two arguments: files.link(path, target)",
  },
  "server.user": { user: 'the user name is the first argument: server.user("deploy")' },
  "server.group": { group: 'the group name is the first argument: server.group("web")' },
  "server.shell": { commands: "the commands are the first argument: server.shell(commands)" },
  "server.script": { src: "the script is the first argument: server.script(src, { args })" },
  "server.hostname": {
    hostname: "the name is the first argument: server.hostname(name)",
    hostname_file: "server.hostname writes /etc/hostname",
  },
  "server.sysctl": {
    key: "key and value are the first two arguments: server.sysctl(key, value, { persist })",
    value: "key and value are the first two arguments: server.sysctl(key, value, { persist })",
    persist_file: "the file is file: server.sysctl(key, value, { persist: true, file })",
  },
  "server.reboot": {
    delay: "delaySeconds",
    reboot_timeout: "waitSeconds",
    interval: "skiff tries to reconnect every 5 s",
  },
  "apt.repo": {
    src:
      "apt.repo writes a deb822 source from its fields: apt.repo(name, { uris, suites, components })",
    filename: "the file is named after name: apt.repo(name, { uris, suites })",
  },
  "systemd.service": { command: "use running, restarted or reloaded" },
};

/**
 * A hint for an unknown option that is pyinfra's name for something:
 * ` (pyinfra's replace=: …)`, or an empty string. pyinfra's control
 * arguments without their `_` (`sudo=`) and `name=` (an operation's name)
 * are hinted for every operation.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { pyinfraHint } from "./pyinfra_names.ts";
 * deepStrictEqual(
 *   pyinfraHint("server.user", "user", ["name"]),
 *   ` (pyinfra's user=: the user name is the first argument: server.user("deploy"))`,
 * );
 * deepStrictEqual(pyinfraHint("files.put", "sudo", []), ` (pyinfra's sudo=: control arguments start with "_": _sudo)`);
 * deepStrictEqual(pyinfraHint("files.put", "colour", []), "");
 * ```
 */
export function pyinfraHint(operation: string, key: string, options: readonly string[]): string {
  const known = PYINFRA_ARGUMENTS[operation];
  const text = known && Object.hasOwn(known, key)
    ? known[key]
    : key === "name" && !options.includes("name")
    ? 'an operation\'s name is the control argument _name: { _name: "Install nginx" }'
    : isControlArgument(`_${key}`)
    ? `control arguments start with "_": _${key}`
    : undefined;
  return text === undefined ? "" : ` (pyinfra's ${key}=: ${text})`;
}
