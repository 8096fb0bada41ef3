import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import type { CommandArguments } from "../../lib/core/arguments.ts";
import { raw, secret, sh } from "../../lib/core/command.ts";
import { makeUnixCommand } from "../../lib/core/unix_command.ts";

const ASKPASS_HEAD =
  `(SKIFF_ASKPASS="$(mktemp)" && printf '%s\\n' '#!/bin/sh' 'printf "%s\\n" "$SKIFF_SUDO_PASSWORD"'` +
  ` >"$SKIFF_ASKPASS" && chmod 700 "$SKIFF_ASKPASS" || exit 125; `;
const ASKPASS_TAIL = `; skiff_rc=$?; rm -f "$SKIFF_ASKPASS"; exit $skiff_rc)`;

const TABLE: [string, string, CommandArguments, string][] = [
  ["plain", "echo hi", {}, "sh -c 'echo hi'"],
  [
    "sudo",
    "apt-get install -y nginx",
    { _sudo: true },
    "sudo -H -n sh -c 'apt-get install -y nginx'",
  ],
  [
    "env, chdir and sudo",
    "make install",
    { _sudo: true, _chdir: "/srv/app", _env: { PATH: raw("/opt/bin:$PATH"), CC: "gcc" } },
    "sudo -H -n sh -c 'cd /srv/app && export PATH=/opt/bin:$PATH CC=gcc && make install'",
  ],
  [
    "sudo user, login (the command in base64: the login shell expands $), preserve env",
    "whoami",
    { _sudo: true, _sudo_user: "postgres", _use_sudo_login: true, _preserve_sudo_env: true },
    `sudo -H -n -i -E -u postgres sh -c 'eval "$(printf %s c2ggLWMgd2hvYW1p | base64 -d)"'`,
  ],
  [
    "su login, env, shell",
    "echo $HOME",
    { _su_user: "deploy", _use_su_login: true, _preserve_su_env: true, _su_shell: "bash" },
    `su -l -m -s "$(command -v bash)" deploy -c 'sh -c '"'"'echo $HOME'"'"''`,
  ],
  [
    "doas, sudo and su nest in the order _privilege_chain gives",
    "whoami",
    { _privilege_chain: ["doas", "sudo", "su"], _doas: true, _sudo: true, _su_user: "x" },
    "doas -n sudo -H -n su x -c 'sh -c whoami'",
  ],
  ["doas user", "id", { _doas: true, _doas_user: "web" }, "doas -n -u web sh -c id"],
  [
    "env value with $ stays literal",
    "env",
    { _env: { A: "$(id) `id` $HOME" } },
    `sh -c 'export A='"'"'$(id) \`id\` $HOME'"'"' && env'`,
  ],
  [
    "env value with quotes",
    "env",
    { _env: { A: `it's "x"` } },
    `sh -c 'export A='"'"'it'"'"'"'"'"'"'"'"'s "x"'"'"' && env'`,
  ],
  [
    "chdir with spaces and quote",
    "pwd",
    { _chdir: "/tmp/a b'c" },
    `sh -c 'cd '"'"'/tmp/a b'"'"'"'"'"'"'"'"'c'"'"' && pwd'`,
  ],
  ["user name quoted", "id", { _sudo: true, _sudo_user: "a b" }, "sudo -H -n -u 'a b' sh -c id"],
  [
    "newline and non-ASCII",
    `printf '%s' "$A"`,
    { _env: { A: "é\nü" } },
    `sh -c 'export A='"'"'é\nü'"'"' && printf '"'"'%s'"'"' "$A"'`,
  ],
  ["other shell", "echo x", { _shell_executable: "bash" }, "bash -c 'echo x'"],
  ["no shell", "echo x", { _shell_executable: null }, "echo x"],
  ["no shell with sudo", "id -u", { _shell_executable: null, _sudo: true }, "sudo -H -n id -u"],
  ["su with no shell", "id", { _shell_executable: null, _su_user: "x" }, "su x -c id"],
  [
    "su shell path",
    "id",
    { _su_user: "x", _su_shell: "/bin/bash" },
    "su -s /bin/bash x -c 'sh -c id'",
  ],
  [
    "sudo password via askpass",
    "id",
    { _sudo: true, _sudo_password: "p'w" },
    `${ASKPASS_HEAD}SUDO_ASKPASS="$SKIFF_ASKPASS" SKIFF_SUDO_PASSWORD=*** sudo -H -A -k sh -c id${ASKPASS_TAIL}`,
  ],
];

Deno.test("makeUnixCommand() wraps commands exactly as the table says", async (t) => {
  for (const [name, command, args, expected] of TABLE) {
    await t.step(name, () => strictEqual(makeUnixCommand(command, args).renderMasked(), expected));
  }
});

Deno.test("makeUnixCommand() keeps the sudo password out of the command text", () => {
  const exec = makeUnixCommand("id", { _sudo: true, _sudo_password: secret("s3cr3t") })
    .renderForExec();
  strictEqual(exec.text.includes("s3cr3t"), false);
  strictEqual(
    exec.text.includes(`SKIFF_SUDO_PASSWORD="$SKIFF_SECRET_0" sudo -H -A -k sh -c id`),
    true,
  );
  deepStrictEqual(exec.secretEnv, { SKIFF_SECRET_0: "s3cr3t" });
});

Deno.test("makeUnixCommand() passes inner secrets through sudo with --preserve-env", () => {
  const exec = makeUnixCommand(sh`mysql -p${secret("pw")}`, { _sudo: true }).renderForExec();
  strictEqual(
    exec.text,
    `sudo -H -n --preserve-env=SKIFF_SECRET_0 sh -c 'mysql -p"$SKIFF_SECRET_0"'`,
  );
  const both = makeUnixCommand(sh`x ${secret("a")}`, { _sudo: true, _sudo_password: "b" })
    .renderForExec();
  strictEqual(
    both.text.includes(`--preserve-env=SKIFF_SECRET_1 sh -c 'x "$SKIFF_SECRET_1"'`),
    true,
  );
  deepStrictEqual(both.secretEnv, { SKIFF_SECRET_0: "b", SKIFF_SECRET_1: "a" });
});

Deno.test("makeUnixCommand() rejects combinations that cannot work", async (t) => {
  await t.step("bad env name", () =>
    throws(() => makeUnixCommand("x", { _env: { "A-B": "1" } }), {
      name: "InputError",
      message: `_env: "A-B" is not a valid environment variable name`,
    }));
  await t.step(
    "chdir without shell under sudo",
    () =>
      throws(() => makeUnixCommand("x", { _chdir: "/", _sudo: true, _shell_executable: null }), {
        message: "_chdir and _env need a shell when combined with _sudo, _doas or _su_user",
      }),
  );
  await t.step(
    "sudo password through doas",
    () =>
      throws(() =>
        makeUnixCommand("x", {
          _privilege_chain: ["doas", "sudo"],
          _sudo_password: "p",
        }), {
        message:
          "_sudo_password cannot be combined with _doas: the askpass helper cannot pass through doas",
      }),
  );
  await t.step(
    "secret through doas",
    () =>
      throws(() => makeUnixCommand(sh`x ${secret("p")}`, { _doas: true }), {
        message:
          "Secret values cannot pass through _doas: doas clears the environment they travel in",
      }),
  );
  await t.step(
    "sudo password with a preserved environment",
    () =>
      throws(() =>
        makeUnixCommand("env", {
          _sudo: true,
          _preserve_sudo_env: true,
          _sudo_password: secret("p"),
        }), {
        name: "InputError",
        message:
          "_sudo_password cannot be combined with _preserve_sudo_env: the password travels in the environment, which would be handed to the command (pass what it needs with _env)",
      }),
  );
  await t.step(
    "secret through sudo -i",
    () =>
      throws(() => makeUnixCommand(sh`x ${secret("p")}`, { _sudo: true, _use_sudo_login: true }), {
        message:
          "Secret values cannot pass through _sudo with _use_sudo_login: the login shell would see their names unquoted",
      }),
  );
  await t.step(
    "bad su shell",
    () =>
      throws(() => makeUnixCommand("x", { _su_user: "a", _su_shell: "ba sh" }), {
        message: `_su_shell: "ba sh" is not a shell name or path`,
      }),
  );
});

const PROBE =
  `printf '%s\\n' "$#"; for a in "$@"; do printf '[%s]\\n' "$a"; done; printf 'cwd=%s\\n' "$PWD"; printf 'A=%s\\n' "$A"`;

async function runRendered(args: CommandArguments, argv: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-unix-" });
  try {
    const script = `${dir}/probe.sh`;
    await Deno.writeTextFile(script, PROBE);
    const exec = makeUnixCommand(sh`sh ${script} ${argv}`, { ...args, _chdir: dir })
      .renderForExec();
    const out = await new Deno.Command("sh", { args: ["-c", exec.text], env: exec.secretEnv })
      .output();
    return new TextDecoder().decode(out.stdout).replaceAll(dir, "DIR");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("makeUnixCommand() output run through sh delivers argv, env and cwd exactly", async (t) => {
  const tricky = ["it's", 'say "hi"', "$(id)", "`id`", "two words", "line1\nline2", "héllo", ""];
  const env = `a'b "c" $(id) \`x\` é`;
  const expected = `${tricky.length}\n${
    tricky.map((a) => `[${a}]`).join("\n")
  }\ncwd=DIR\nA=${env}\n`;
  await t.step(
    "plain",
    async () => strictEqual(await runRendered({ _env: { A: env } }, tricky), expected),
  );
  await t.step(
    "under sudo",
    async () => strictEqual(await runRendered({ _env: { A: env }, _sudo: true }, tricky), expected),
  );
  await t.step(
    "under su",
    async () =>
      strictEqual(await runRendered({ _env: { A: env }, _su_user: "root" }, tricky), expected),
  );
  await t.step(
    "secret env value under sudo",
    async () =>
      strictEqual(await runRendered({ _env: { A: secret(env) }, _sudo: true }, tricky), expected),
  );
});
