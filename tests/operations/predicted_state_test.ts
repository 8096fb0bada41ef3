/**
 * The predicted state's rules as data: the latest statement about a key
 * wins; regions cover keys by prefix, but those excepted; a region's rule
 * maps the host's value; paths under a predicted-absent or non-directory
 * ancestor are absent, under a predicted link unknown.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { ABSENT, ancestorsOf, fileKey, resolveFile } from "../../lib/operations/file_state.ts";
import { PredictedState, UNKNOWN } from "../../lib/operations/predicted_state.ts";

/** A lookup as a short text: `state VALUE`, `unknown`, `host`, or `host kept`. */
function show(state: PredictedState, key: string): string {
  const found = state.lookup(key);
  if (found.from === "host") return found.keep ? `host kept (${found.cause})` : "host";
  if (found.value === UNKNOWN) return `unknown (${found.cause})`;
  return `state ${JSON.stringify(found.value)}`;
}

Deno.test("PredictedState: the latest statement about a key wins, entry or region", async (t) => {
  await t.step("nothing stated: the host", () => {
    const state = new PredictedState();
    strictEqual(show(state, "user:app"), "host");
    strictEqual(state.changed, false);
    strictEqual(state.touchedBy([""]), undefined);
  });
  await t.step("an entry, then a region over it, then an entry again", () => {
    const state = new PredictedState();
    state.set("user:app", { uid: 1 }, "server.user app");
    strictEqual(show(state, "user:app"), 'state {"uid":1}');
    state.forget("user:", "server.shell useradd x");
    strictEqual(show(state, "user:app"), "unknown (server.shell useradd x)");
    strictEqual(show(state, "user:other"), "unknown (server.shell useradd x)");
    strictEqual(show(state, "group:app"), "host");
    state.set("user:app", null, "server.user app");
    strictEqual(show(state, "user:app"), "state null");
    deepStrictEqual(state.touchedBy(["user:"]), { seq: 3, cause: "server.user app" });
    deepStrictEqual(state.regionOver(["user:"])?.cause, "server.shell useradd x");
    deepStrictEqual(state.keysUnder("user:"), ["user:app"]);
  });
  await t.step("a region's exceptions keep the host", () => {
    const state = new PredictedState();
    state.forget("file:/", "apt.packages nginx", { except: ["file:/srv", "file:/home"] });
    strictEqual(show(state, "file:/etc/nginx/nginx.conf"), "unknown (apt.packages nginx)");
    strictEqual(show(state, "file:/srv/site/index.html"), "host");
    strictEqual(show(state, "file:/srv"), "host");
    strictEqual(state.regionOver(["file:/srv/site/"]), undefined);
    strictEqual(state.regionOver(["file:/etc/"])?.cause, "apt.packages nginx");
  });
  await t.step("a region's rule maps the host's value, or states one", () => {
    const state = new PredictedState();
    state.forget("package:apt:", "apt.packages nginx", {
      rule: { keep: (host) => (host as { installed: boolean }).installed ? host : UNKNOWN },
    });
    const found = state.lookup("package:apt:bash");
    strictEqual(found.from, "host");
    if (found.from !== "host") return;
    deepStrictEqual(found.keep!({ installed: true }), { installed: true });
    strictEqual(found.keep!({ installed: false }), UNKNOWN);
    state.forget("file:/tmp/x/", "files.directory /tmp/x", { rule: { value: ABSENT } });
    strictEqual(show(state, "file:/tmp/x/a"), 'state {"type":"absent"}');
  });
  await t.step("a deploy's unknown fact taints once, with its first cause", () => {
    const state = new PredictedState();
    state.taintWith("fact server.command");
    state.taintWith("fact files.stat");
    strictEqual(state.taint, "fact server.command");
  });
});

Deno.test("resolveFile: ancestors predicted absent, a file or a link decide what is under them", async (t) => {
  await t.step("ancestorsOf and fileKey normalise paths", () => {
    deepStrictEqual(ancestorsOf("/srv//app/conf/"), ["/srv", "/srv/app"]);
    deepStrictEqual(ancestorsOf("relative/x"), []);
    strictEqual(fileKey("/srv//app/./conf/"), "file:/srv/app/conf");
  });
  await t.step("a removed directory takes what was under it", () => {
    const state = new PredictedState();
    state.set(fileKey("/srv/app"), ABSENT, "files.directory /srv/app");
    const found = resolveFile(state, "/srv/app/conf/x");
    deepStrictEqual([found.from, found.from === "state" && found.value], ["state", ABSENT]);
  });
  await t.step("a file where a directory was: nothing under it", () => {
    const state = new PredictedState();
    state.set(fileKey("/srv/app"), { type: "file" }, "files.put /srv/app");
    const found = resolveFile(state, "/srv/app/x");
    deepStrictEqual(found.from === "state" && found.value, ABSENT);
  });
  await t.step("a link: not followed, unknown under it", () => {
    const state = new PredictedState();
    state.set(fileKey("/srv/current"), { type: "link", target: "/srv/r2" }, "files.link");
    const found = resolveFile(state, "/srv/current/app.conf");
    deepStrictEqual(found.from === "state" && found.value, UNKNOWN);
  });
  await t.step("a later statement about the path wins over its ancestor's", () => {
    const state = new PredictedState();
    state.set(fileKey("/srv/app"), ABSENT, "files.directory /srv/app");
    state.set(fileKey("/srv/app/conf"), { type: "directory" }, "files.directory /srv/app/conf");
    const found = resolveFile(state, "/srv/app/conf");
    deepStrictEqual(found.from === "state" && found.value, { type: "directory" });
  });
  await t.step("an ancestor made a directory leaves the host's answer for what is under it", () => {
    const state = new PredictedState();
    state.set(fileKey("/srv"), { type: "directory" }, "files.directory /srv");
    strictEqual(resolveFile(state, "/srv/app").from, "host");
  });
});
