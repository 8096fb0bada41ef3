/**
 * `pacman.packages` and `zypper.packages`: no Arch or openSUSE repository is
 * reachable here, so their commands are tested against RECORDED facts (a
 * fake connector, tests/helpers/recorded_facts.ts, answering `pacman -Q`,
 * `pacman -Qu`, `rpm -qa` and `zypper list-updates` with output recorded
 * from those systems): facts in, exact commands out; and the dry run says
 * what the run does.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { recordedHarness } from "../helpers/recorded_facts.ts";
import { rpm } from "../../lib/facts/packages.ts";
import { predictFact } from "../../lib/operations/predicted_facts.ts";
import { PredictedState } from "../../lib/operations/predicted_state.ts";

const PACMAN_Q = { match: /^pacman -Q$/, stdout: "bash 5.2.026-2\nvim 9.1.0785-1\n" };
const PACMAN_QU = { match: "pacman -Qu", stdout: "vim 9.1.0785-1 -> 9.1.0866-1\n" };
const RPM = { match: "rpm -qa", stdout: "bash\t5.2.15-150500.1.1\nvim\t9.1.0330-150500.20.9.1\n" };
const ZYPPER_LU = {
  match: "zypper --non-interactive --quiet list-updates",
  stdout: "S | Repository | Name | Current Version | Available Version | Arch\n" +
    "--+------------+------+-----------------+-------------------+-------\n" +
    "v | repo-sle-update | vim | 9.1.0330-150500.20.9.1 | 9.1.0836-150500.20.15.1 | x86_64\n",
};

/** What ran besides reading the facts. */
function changes(commands: string[]): string[] {
  return commands.filter((c) => !/^(pacman -Q|rpm -qa|zypper --non-interactive --quiet)/.test(c));
}

Deno.test("pacman.packages installs what pacman -Q lacks, upgrades what pacman -Qu offers, removes; a second run changes nothing", async (t) => {
  await t.step("install the missing, upgrade with latest, after pacman -Sy", async () => {
    const h = recordedHarness([PACMAN_QU, PACMAN_Q]);
    const dry = await h.dry("pacman.packages", ["bash", "vim", "htop"], {
      latest: true,
      update: true,
    });
    strictEqual(dry.description, "installed htop, upgraded vim");
    deepStrictEqual(changes(h.commands()), []);
    const result = await h.op("pacman.packages", ["bash", "vim", "htop"], {
      latest: true,
      update: true,
    });
    deepStrictEqual([result.changed, result.description, result.diff], [
      true,
      "installed htop, upgraded vim",
      "+htop\nvim 9.1.0785-1 → 9.1.0866-1",
    ]);
    deepStrictEqual(changes(h.commands()), [
      "pacman -Sy --noconfirm",
      "pacman -S --noconfirm --needed -- htop",
      "pacman -S --noconfirm -- vim",
    ]);
  });
  await t.step("all installed: no change, nothing run", async () => {
    const h = recordedHarness([PACMAN_Q]);
    const result = await h.op("pacman.packages", ["bash", "vim"]);
    deepStrictEqual([result.changed, result.description], [false, "bash vim installed"]);
    deepStrictEqual(changes(h.commands()), []);
  });
  await t.step("present: false removes what is installed", async () => {
    const h = recordedHarness([PACMAN_Q]);
    const result = await h.op("pacman.packages", ["vim", "nano"], { present: false });
    strictEqual(result.description, "removed vim");
    deepStrictEqual(changes(h.commands()), ["pacman -R --noconfirm -- vim"]);
  });
});

Deno.test("zypper.packages installs what the rpm database lacks (with pins), upgrades what zypper offers, removes; a second run changes nothing", async (t) => {
  await t.step("install and upgrade, after zypper refresh", async () => {
    const h = recordedHarness([RPM, ZYPPER_LU]);
    const result = await h.op("zypper.packages", ["bash", "vim", "nginx=1.21.5-150500.3.3.1"], {
      latest: true,
      update: true,
    });
    deepStrictEqual([result.changed, result.description], [
      true,
      "installed nginx=1.21.5-150500.3.3.1, upgraded vim",
    ]);
    deepStrictEqual(changes(h.commands()), [
      "zypper --non-interactive refresh",
      "zypper --non-interactive install -- nginx=1.21.5-150500.3.3.1",
      "zypper --non-interactive update -- vim",
    ]);
    const dry = recordedHarness([RPM, ZYPPER_LU]);
    strictEqual(
      (await dry.dry("zypper.packages", ["bash", "vim", "nginx=1.21.5-150500.3.3.1"], {
        latest: true,
      })).description,
      "installed nginx=1.21.5-150500.3.3.1, upgraded vim",
    );
    deepStrictEqual(changes(dry.commands()), []);
  });
  await t.step("all installed: no change; present: false removes", async () => {
    const h = recordedHarness([RPM]);
    strictEqual((await h.op("zypper.packages", ["bash", "vim"])).changed, false);
    // A pin of the installed version is installed already.
    const pinned = await h.op("zypper.packages", "bash=5.2.15-150500.1.1");
    strictEqual(pinned.changed, false);
    const removed = await h.op("zypper.packages", "vim", { present: false });
    strictEqual(removed.description, "removed vim");
    deepStrictEqual(changes(h.commands()), ["zypper --non-interactive remove -- vim"]);
  });
});

Deno.test("pacman.packages and zypper.packages refuse bad package names with an input error", async () => {
  const h = recordedHarness([]);
  for (const op of ["pacman.packages", "zypper.packages"]) {
    await rejects(h.op(op, ["-x"]), {
      name: "InputError",
      message: `${op}: packages must be a package name or a list of names, got ["-x"]`,
    });
  }
});

Deno.test("in a dry run, packages.rpm lists what zypper.packages (like dnf.packages) would install or remove", async () => {
  const state = new PredictedState();
  state.set("package:zypper:nginx", { installed: true, version: "1.21.5" }, "zypper.packages");
  state.set("package:zypper:vim", { installed: false }, "zypper.packages");
  state.set("package:dnf:htop", { installed: true, version: "3.3.0" }, "dnf.packages");
  const host = () => Promise.resolve({ bash: "5.2.15", vim: "9.1.0330" });
  deepStrictEqual(await predictFact(state, rpm, [], host), {
    value: { bash: "5.2.15", htop: "3.3.0", nginx: "1.21.5" },
  });
});
