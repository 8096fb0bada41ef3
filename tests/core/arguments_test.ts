import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import {
  CONTROL_ARGUMENTS,
  controlArgumentsFromData,
  extractControlArguments,
  mergeControlArguments,
  validateControlArguments,
} from "../../lib/core/arguments.ts";
import { SecretValue } from "../../lib/core/command.ts";

Deno.test("CONTROL_ARGUMENTS documents every argument in DESIGN.md", () => {
  deepStrictEqual(Object.keys(CONTROL_ARGUMENTS), [
    "_sudo",
    "_sudo_user",
    "_use_sudo_login",
    "_sudo_password",
    "_preserve_sudo_env",
    "_su_user",
    "_use_su_login",
    "_preserve_su_env",
    "_su_shell",
    "_doas",
    "_doas_user",
    "_privilege_chain",
    "_shell_executable",
    "_chdir",
    "_env",
    "_success_exit_codes",
    "_timeout",
    "_get_pty",
    "_stdin",
    "_retries",
    "_retry_delay",
    "_retry_until",
    "_ignore_errors",
    "_continue_on_error",
    "_if",
    "_temp_dir",
    "_run_once",
    "_notify",
    "_name",
  ]);
  for (const meta of Object.values(CONTROL_ARGUMENTS)) {
    strictEqual(meta.description.length > 10, true);
  }
});

Deno.test("validateControlArguments() names the argument and the bad value", async (t) => {
  await t.step(
    "string for boolean",
    () =>
      throws(() => validateControlArguments({ _sudo: "yes" }, "operation files.put"), {
        name: "InputError",
        message: `operation files.put: _sudo: expected a boolean (true or false), got "yes"`,
      }),
  );
  await t.step(
    "unknown argument with hint",
    () =>
      throws(() => validateControlArguments({ _sduo: true }, "host web1"), {
        message: `host web1: unknown control argument "_sduo" (did you mean "_sudo"?)`,
      }),
  );
  await t.step(
    "_su_password is refused with what to use instead",
    () =>
      throws(() => validateControlArguments({ _su_password: "pw" }, "host web1"), {
        name: "InputError",
        message:
          "host web1: _su_password is not supported: su reads its password from a terminal, which skiff does not drive; use _sudo with _sudo_password, or a rule that needs no password",
      }),
  );
  await t.step(
    "float exit code",
    () =>
      throws(() => validateControlArguments({ _success_exit_codes: [0, 1.5] }, "x"), {
        message: "x: _success_exit_codes: expected a list of integers, got a list",
      }),
  );
  await t.step(
    "single exit code becomes a list",
    () =>
      deepStrictEqual(validateControlArguments({ _success_exit_codes: 3 }, "x"), {
        _success_exit_codes: [3],
      }),
  );
  await t.step("passwords become secrets", () => {
    const args = validateControlArguments({ _sudo_password: "pw" }, "x");
    strictEqual(args._sudo_password instanceof SecretValue, true);
    strictEqual(JSON.stringify(args), `{"_sudo_password":"***"}`);
  });
  await t.step(
    "null shell is allowed",
    () =>
      deepStrictEqual(validateControlArguments({ _shell_executable: null }, "x"), {
        _shell_executable: null,
      }),
  );
});

Deno.test("mergeControlArguments() applies operation > deploy > host > CLI > defaults", async (t) => {
  await t.step("defaults", () => {
    const merged = mergeControlArguments({});
    strictEqual(merged._sudo, false);
    strictEqual(merged._shell_executable, "sh");
    deepStrictEqual(merged._success_exit_codes, [0]);
  });
  await t.step("each layer beats the one below", () => {
    const merged = mergeControlArguments({
      cli: { _sudo_user: "cli", _chdir: "/cli", _timeout: 1, _doas_user: "cli" },
      host: { _sudo_user: "host", _chdir: "/host", _timeout: 2 },
      deploy: { _sudo_user: "deploy", _chdir: "/deploy" },
      operation: { _sudo_user: "op" },
    });
    deepStrictEqual(
      [merged._sudo_user, merged._chdir, merged._timeout, merged._doas_user],
      ["op", "/deploy", 2, "cli"],
    );
  });
  await t.step(
    "undefined leaves the lower value",
    () =>
      strictEqual(
        mergeControlArguments({ host: { _sudo: true }, operation: { _sudo: undefined } })._sudo,
        true,
      ),
  );
  await t.step(
    "false in a higher layer wins",
    () =>
      strictEqual(
        mergeControlArguments({ host: { _sudo: true }, operation: { _sudo: false } })._sudo,
        false,
      ),
  );
});

Deno.test("controlArgumentsFromData() picks only _keys", () => {
  deepStrictEqual(
    controlArgumentsFromData({ _sudo: true, ssh_user: "x", nginx_port: 80 }, "host"),
    { _sudo: true },
  );
});

Deno.test("extractControlArguments() splits connector and command arguments", () => {
  const extracted = extractControlArguments({
    _sudo: true,
    _env: { A: "1" },
    _timeout: 5,
    _success_exit_codes: [0, 1],
    _stdin: "x",
    _get_pty: true,
    _retries: 3,
    _if: true,
  });
  deepStrictEqual(extracted.connector, {
    _timeout: 5,
    _success_exit_codes: [0, 1],
    _stdin: "x",
    _get_pty: true,
  });
  deepStrictEqual(extracted.command, { _sudo: true, _env: { A: "1" } });
});
