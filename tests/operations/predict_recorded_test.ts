/**
 * Dry-run predictions on hosts this machine cannot be (Fedora, Alpine, a
 * host to reboot), answered by a recorded-facts fake (named as such): each
 * sequence runs as one dry run that keeps its predicted state. Only the
 * prediction can be checked here; the real runs of the same plans are
 * tested for apt on a Debian tree (predict_system_test.ts), whose shared
 * package logic dnf and apk use.
 */

import { deepStrictEqual } from "node:assert/strict";
import { RecordedFactsConnector, type RecordedReply } from "../helpers/recorded_facts.ts";
import { outcomes, runSteps, type Step, type StepOutcome } from "../helpers/predict.ts";

/** The dry run of `steps` on a fake host answering from `replies`. */
function dry(replies: RecordedReply[], steps: Step[]): Promise<StepOutcome[]> {
  const host = { name: "web1", data: {}, groups: ["all"] };
  return runSteps({ host, connector: new RecordedFactsConnector(host, replies) }, steps, true);
}

const summary = (list: StepOutcome[]) =>
  list.map((step) => `${step.outcome}: ${step.description}${step.diff ? ` [${step.diff}]` : ""}`);

Deno.test("dnf.packages and apk.packages: a dry run follows the packages it would install and remove", async (t) => {
  await t.step("dnf", async () => {
    const steps = await dry([{ match: "rpm -qa", stdout: "bash\t5.2-1.fc40\n" }], [
      ["dnf.packages", ["nginx"]],
      ["dnf.packages", ["nginx", "bash"]],
      ["dnf.packages", "nginx", { present: false }],
      ["dnf.packages", "nginx", { present: false }],
      ["dnf.packages", "bash"],
    ]);
    deepStrictEqual(summary(steps), [
      "changed: installed nginx [+nginx]",
      "no change: nginx bash installed",
      "changed: removed nginx [-nginx]",
      "no change: nginx absent",
      // dnf has no simulation here: a removal may take packages that depend on it.
      "changed: depends on an earlier change",
    ]);
  });
  await t.step("apk", async () => {
    const steps = await dry([{ match: "apk info -v", stdout: "busybox-1.36.1-r29\n" }], [
      ["apk.packages", ["curl=8.9.0-r0"]],
      ["apk.packages", ["curl=8.9.0-r0"]],
      ["apk.packages", ["curl=8.9.1-r0"]],
      ["apk.packages", ["busybox"]],
    ]);
    deepStrictEqual(summary(steps), [
      "changed: installed curl=8.9.0-r0 [+curl=8.9.0-r0]",
      "no change: curl=8.9.0-r0 installed",
      "changed: installed curl=8.9.1-r0 [+curl=8.9.1-r0]",
      // An installed package stays installed whatever else is installed.
      "no change: busybox installed",
    ]);
  });
});

Deno.test("server.reboot: a dry run takes what a reboot changes as unknown afterwards", async () => {
  const service = {
    match: /systemctl is-active/,
    stdout: "systemd=yes\nsystemctl=yes\nactive=active\nenabled=enabled\n",
  };
  const steps = await dry([service], [
    ["systemd.service", "nginx", { running: true, enabled: true }],
    ["server.reboot", {}],
    ["systemd.service", "nginx", { running: true }],
    ["systemd.service", "nginx", { running: true }],
    ["systemd.service", "nginx", { enabled: true }],
  ]);
  deepStrictEqual(outcomes(steps), ["no change", "changed", "changed", "no change", "changed"]);
  deepStrictEqual(
    steps.map((step) => step.dependsOnEarlierChange ?? false),
    [false, false, true, false, true],
  );
});
