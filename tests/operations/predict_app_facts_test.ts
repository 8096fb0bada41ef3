/**
 * The container, pip, npm and PostgreSQL facts in a dry run: the host's
 * value with what earlier operations stated applied, and unknown once a
 * step may have changed any of them.
 */

import { deepStrictEqual } from "node:assert/strict";
import { containers } from "../../lib/facts/docker.ts";
import { packages as npmPackages } from "../../lib/facts/npm.ts";
import { packages as pipPackages } from "../../lib/facts/pip.ts";
import { roles } from "../../lib/facts/postgres.ts";
import { predictFact } from "../../lib/operations/predicted_facts.ts";
import { PredictedState, UNKNOWN } from "../../lib/operations/predicted_state.ts";

Deno.test("docker.containers, pip.packages, npm.packages and postgres.roles read through a dry run's state", async (t) => {
  await t.step("docker.containers", async () => {
    const state = new PredictedState();
    state.set("docker:container:web", { image: "nginx:1", running: true }, "docker.container web");
    state.set("docker:container:old", null, "docker.container old");
    const host = { old: { image: "x", running: false }, db: { image: "pg", running: true } };
    deepStrictEqual(await predictFact(state, containers, [], () => Promise.resolve(host)), {
      value: { db: { image: "pg", running: true }, web: { image: "nginx:1", running: true } },
    });
    state.forget("", "server.shell docker run x");
    deepStrictEqual(await predictFact(state, containers, [], () => Promise.resolve(host)), {
      unknown: "server.shell docker run x",
    });
  });
  await t.step("pip.packages of one environment, not another", async () => {
    const state = new PredictedState();
    state.set("pip:/srv/a:flask", { installed: true, version: "3.0.0" }, "pip.packages flask");
    state.set("pip:/srv/a:six", { installed: false }, "pip.packages six");
    const host = () => Promise.resolve({ six: "1.16.0", pip: "23.0" });
    deepStrictEqual(await predictFact(state, pipPackages, ["/srv/a"], host), {
      value: { pip: "23.0", flask: "3.0.0" },
    });
    deepStrictEqual(await predictFact(state, pipPackages, ["/srv/b"], host), {
      value: { six: "1.16.0", pip: "23.0" },
    });
  });
  await t.step("npm.packages with a version the dry run cannot know", async () => {
    const state = new PredictedState();
    state.set("npm:/srv/app:tiny", { installed: true, version: UNKNOWN }, "npm.packages tiny");
    deepStrictEqual(
      await predictFact(state, npmPackages, ["/srv/app"], () => Promise.resolve({})),
      {
        unknown: "npm.packages tiny",
      },
    );
  });
  await t.step("postgres.roles", async () => {
    const state = new PredictedState();
    state.set(
      "postgres:role:app",
      { login: true, superuser: false, createdb: true },
      "postgres.role app",
    );
    const host = () =>
      Promise.resolve({ postgres: { login: true, superuser: true, createdb: true } });
    deepStrictEqual(await predictFact(state, roles, [], host), {
      value: {
        postgres: { login: true, superuser: true, createdb: true },
        app: { login: true, superuser: false, createdb: true },
      },
    });
  });
});
