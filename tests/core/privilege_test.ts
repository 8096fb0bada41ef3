import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import {
  type CommandArguments,
  mergeControlArguments,
  validateControlArguments,
} from "../../lib/core/arguments.ts";
import { secret, sh } from "../../lib/core/command.ts";
import { overlay, privilegeOf } from "../../lib/core/privilege.ts";
import { makeUnixCommand } from "../../lib/core/unix_command.ts";

const ASKPASS_HEAD =
  `(SKIFF_ASKPASS="$(mktemp)" && printf '%s\\n' '#!/bin/sh' 'printf "%s\\n" "$SKIFF_SUDO_PASSWORD"'` +
  ` >"$SKIFF_ASKPASS" && chmod 700 "$SKIFF_ASKPASS" || exit 125; `;
const ASKPASS_TAIL = `; skiff_rc=$?; rm -f "$SKIFF_ASKPASS"; exit $skiff_rc)`;

const CHAINS: [string, CommandArguments, string][] = [
  ["none", {}, "sh -c whoami"],
  ["sudo alone", { _sudo: true }, "sudo -H -n sh -c whoami"],
  ["su alone", { _su_user: "app" }, "su app -c 'sh -c whoami'"],
  ["doas alone", { _doas: true, _doas_user: "web" }, "doas -n -u web sh -c whoami"],
  [
    "pyinfra's stacking: doas, sudo, su",
    { _privilege_chain: ["doas", "sudo", "su"], _su_user: "x" },
    "doas -n sudo -H -n su x -c 'sh -c whoami'",
  ],
  [
    "chain with users and options on each step",
    {
      _privilege_chain: ["doas", "sudo", "su"],
      _doas_user: "ops",
      _sudo_user: "a b",
      _use_sudo_login: true,
      _su_user: "app",
      _su_shell: "/bin/sh",
    },
    // sudo -i: what it runs travels in base64 (its login shell would expand a $).
    `doas -n -u ops sudo -H -n -i -u 'a b' sh -c 'eval "$(printf %s c3UgLXMgL2Jpbi9zaCBhcHAgLWMgJ3NoIC1jIHdob2FtaSc= | base64 -d)"'`,
  ],
  [
    "sudo outside su",
    { _privilege_chain: ["sudo", "su"], _sudo: true, _su_user: "app" },
    "sudo -H -n su app -c 'sh -c whoami'",
  ],
  [
    "su outside sudo quotes the sudo command",
    { _privilege_chain: ["su", "sudo"], _su_user: "admin" },
    `su admin -c 'sudo -H -n sh -c whoami'`,
  ],
  [
    "su outside su-less chain with no shell quotes the inner step",
    { _privilege_chain: ["su", "doas"], _su_user: "admin", _shell_executable: null },
    `su admin -c 'doas -n whoami'`,
  ],
  [
    "sudo with a password outermost",
    { _privilege_chain: ["sudo", "doas"], _sudo_password: "pw" },
    `${ASKPASS_HEAD}SUDO_ASKPASS="$SKIFF_ASKPASS" SKIFF_SUDO_PASSWORD=*** sudo -H -A -k doas -n sh -c whoami${ASKPASS_TAIL}`,
  ],
  ["one-method chain is that method", { _privilege_chain: ["doas"] }, "doas -n sh -c whoami"],
  ["empty chain is no privilege", { _privilege_chain: [] }, "sh -c whoami"],
];

Deno.test("makeUnixCommand() wraps privilege chains exactly as the table says", async (t) => {
  for (const [name, args, expected] of CHAINS) {
    await t.step(
      name,
      () => strictEqual(makeUnixCommand("whoami", args).renderMasked(), expected),
    );
  }
});

const CONFLICT = "choose one, or nest them explicitly with _privilege_chain";

Deno.test("privilegeOf() refuses two methods without an explicit chain", async (t) => {
  const cases: [string, CommandArguments, string][] = [
    ["sudo and doas", { _sudo: true, _doas: true }, `_sudo and _doas are both set: ${CONFLICT}`],
    [
      "sudo and su",
      { _sudo: true, _su_user: "app" },
      `_sudo and _su_user are both set: ${CONFLICT}`,
    ],
    ["su and doas", { _su_user: "a", _doas: true }, `_su_user and _doas are both set: ${CONFLICT}`],
    [
      "all three",
      { _doas: true, _sudo: true, _su_user: "x" },
      `_sudo, _su_user and _doas are all set: ${CONFLICT}`,
    ],
    [
      "a chain that leaves a set method out",
      { _privilege_chain: ["sudo"], _doas: true },
      `_doas is set but _privilege_chain ["sudo"] does not include "doas": add it to the chain or leave _doas out`,
    ],
    [
      "su in the chain without a user",
      { _privilege_chain: ["sudo", "su"] },
      `_privilege_chain includes "su" but _su_user is not set: su needs a user`,
    ],
    [
      "unknown method",
      { _privilege_chain: ["pfexec"] as unknown as ["su"] },
      `_privilege_chain: "pfexec" is not one of "doas", "sudo", "su"`,
    ],
    [
      "method twice",
      { _privilege_chain: ["sudo", "sudo"] },
      `_privilege_chain: "sudo" is listed twice`,
    ],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, () => {
      throws(() => privilegeOf(args), { name: "InputError", message });
      throws(() => makeUnixCommand("id", args), { name: "InputError", message });
    });
  }
  await t.step(
    "false does not count as set",
    () => deepStrictEqual(privilegeOf({ _sudo: false, _doas: true }), { kind: "doas" }),
  );
});

Deno.test("makeUnixCommand() refuses chains that secrets cannot cross", async (t) => {
  await t.step("sudo password inside su", () =>
    throws(
      () =>
        makeUnixCommand("id", {
          _privilege_chain: ["su", "sudo"],
          _su_user: "a",
          _sudo_password: "p",
        }),
      {
        message:
          "_sudo_password cannot be combined with _su_user: the askpass helper cannot pass through su",
      },
    ));
  await t.step(
    "secret through doas inside sudo",
    () =>
      throws(() => makeUnixCommand(sh`x ${secret("p")}`, { _privilege_chain: ["sudo", "doas"] }), {
        message:
          "Secret values cannot pass through _doas: doas clears the environment they travel in",
      }),
  );
});

Deno.test("validateControlArguments() names the layer of a privilege conflict", () => {
  throws(() => validateControlArguments({ _sudo: true, _doas: true }, "operation server.shell"), {
    name: "InputError",
    message: `operation server.shell: _sudo and _doas are both set: ${CONFLICT}`,
  });
  deepStrictEqual(
    validateControlArguments({ _privilege_chain: "doas", _doas_user: "x" }, "host h"),
    { _privilege_chain: ["doas"], _doas_user: "x" },
  );
});

Deno.test("mergeControlArguments() lets the more specific layer replace privilege", async (t) => {
  const cmd = (args: CommandArguments) => makeUnixCommand("id", args).render();
  await t.step("operation sudo over host doas is sudo alone", () => {
    const merged = mergeControlArguments({ host: { _doas: true }, operation: { _sudo: true } });
    strictEqual(cmd(merged), "sudo -H -n sh -c id");
  });
  await t.step("deploy su over CLI sudo is su alone", () => {
    const merged = mergeControlArguments({ cli: { _sudo: true }, deploy: { _su_user: "app" } });
    strictEqual(cmd(merged), "su app -c 'sh -c id'");
  });
  await t.step("operation _sudo false over host doas is no privilege", () => {
    const merged = mergeControlArguments({ host: { _doas: true }, operation: { _sudo: false } });
    strictEqual(cmd(merged), "sh -c id");
  });
  await t.step("options still merge key by key", () => {
    const merged = mergeControlArguments({
      host: { _doas: true, _sudo_user: "postgres" },
      operation: { _sudo: true },
    });
    strictEqual(cmd(merged), "sudo -H -n -u postgres sh -c id");
  });
  await t.step("an option alone keeps the lower choice", () => {
    const merged = mergeControlArguments({ host: { _sudo: true }, operation: { _sudo_user: "a" } });
    strictEqual(cmd(merged), "sudo -H -n -u a sh -c id");
  });
  await t.step("a host chain replaced by an operation method", () => {
    const merged = mergeControlArguments({
      host: { _privilege_chain: ["doas", "su"], _su_user: "x" },
      operation: { _doas: true },
    });
    strictEqual(cmd(merged), "doas -n sh -c id");
  });
  await t.step("an operation chain over host sudo", () => {
    const merged = mergeControlArguments({
      host: { _sudo: true },
      operation: { _privilege_chain: ["sudo", "su"], _su_user: "app" },
    });
    strictEqual(cmd(merged), "sudo -H -n su app -c 'sh -c id'");
  });
});

Deno.test("overlay() drops the lower privilege choice only when the upper makes one", () => {
  deepStrictEqual(overlay({ _doas: true, _su_user: "a", x: 1 }, { _sudo: true }), {
    x: 1,
    _sudo: true,
  });
  deepStrictEqual(overlay({ _doas: true, x: 1 }, { x: 2 }), { _doas: true, x: 2 });
});
