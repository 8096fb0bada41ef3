import { deepStrictEqual } from "node:assert/strict";
import { authPlan, type KeyPassphrases } from "../../../connectors/ssh/auth.ts";
import type { HopSettings } from "../../../connectors/ssh/settings.ts";
import { generateKey } from "../../helpers/sshd.ts";
import { tempDir } from "../../helpers/temp.ts";

const PASSPHRASE = "open-sesame-41";

/** Asks answer `answers` in turn (null once they run out) and records each key asked about. */
function scripted(answers: (string | null)[]): KeyPassphrases & { asked: string[] } {
  const asked: string[] = [];
  return {
    known: new Map(),
    asked,
    ask: (path) => {
      asked.push(path);
      return Promise.resolve(answers.shift() ?? null);
    },
  };
}

Deno.test("authPlan() opens an encrypted key with a typed passphrase only when it may ask", async (t) => {
  await using dir = await tempDir();
  const key = await generateKey(dir.join("locked"), "ed25519", PASSPHRASE);
  const hop: HopSettings = {
    user: "deploy",
    host: "web1",
    port: 22,
    knownHosts: [],
    strict: "yes",
    keys: [key],
    identitiesOnly: false,
    forwardAgent: false,
    connectTimeout: 10,
    keepalive: 15,
  };
  const labels = (plan: { methods: { label: string }[] }) => plan.methods.map((m) => m.label);
  await t.step("the right passphrase opens it and is kept for the next hop or retry", async () => {
    const passphrases = scripted(["wrong", PASSPHRASE]);
    const plan = await authPlan(hop, passphrases);
    deepStrictEqual([labels(plan), plan.notes], [[`publickey (${key})`], []]);
    deepStrictEqual(passphrases.asked, [key, key]);
    deepStrictEqual(await authPlan(hop, passphrases).then(labels), [`publickey (${key})`]);
    deepStrictEqual(passphrases.asked, [key, key], "not asked again");
  });
  await t.step("three wrong answers: asked three times, then a note", async () => {
    const passphrases = scripted(["a", "b", "c", PASSPHRASE]);
    const plan = await authPlan(hop, passphrases);
    deepStrictEqual(
      [labels(plan), plan.notes],
      [[], [`${key}: the passphrase typed does not open the key`]],
    );
    deepStrictEqual(passphrases.asked, [key, key, key]);
  });
  await t.step("no answer (Ctrl-D, Ctrl-C, no terminal): the note says what to set", async () => {
    const passphrases = scripted([null]);
    const plan = await authPlan(hop, passphrases);
    deepStrictEqual(plan.notes, [
      `${key}: the key is encrypted and no usable ssh_key_password was given`,
    ]);
    deepStrictEqual(passphrases.asked, [key]);
  });
  await t.step(
    "never asked with an agent (it may hold the key) or with ssh_key_password",
    async () => {
      for (const settings of [{ agent: "/run/agent.sock" }, { keyPassword: "not-it" }]) {
        const passphrases = scripted([PASSPHRASE]);
        const plan = await authPlan({ ...hop, ...settings }, passphrases);
        deepStrictEqual(labels(plan), settings.agent ? ["agent"] : []);
        deepStrictEqual(plan.notes, [
          `${key}: the key is encrypted and no usable ssh_key_password was given`,
        ]);
        deepStrictEqual(passphrases.asked, []);
      }
    },
  );
});
