import { deepStrictEqual, rejects, strictEqual, throws } from "node:assert/strict";
import {
  LocalPathPolicy,
  LocalPathRefusal,
  realLocalPath,
} from "../../lib/operations/local_paths.ts";
import { OPERATIONS } from "../../lib/operations/registry.ts";
import { RecordedFactsConnector } from "../helpers/recorded_facts.ts";
import { connectorHarness } from "../helpers/ops.ts";
import { tempDir } from "../helpers/temp.ts";

const readRefusal = (op: string, given: string, resolved: string) =>
  `${op}: local path "${given}" (resolved "${resolved}") is outside the paths granted to read: grant it with --allow-read "${resolved}" or fleet allow_read`;
const writeRefusal = (op: string, given: string, resolved: string) =>
  `${op}: local path "${given}" (resolved "${resolved}") is outside the paths granted to write: grant it with --allow-write "${resolved}" or fleet allow_write`;

Deno.test("LocalPathPolicy.resolve() grants exactly what it names, after .. and symlinks", async (t) => {
  await using dir = await tempDir();
  const root = await Deno.realPath(dir.path);
  await Deno.mkdir(`${root}/deploy/files`, { recursive: true });
  await Deno.mkdir(`${root}/keys`);
  await Deno.mkdir(`${root}/deploy-sibling`);
  await Deno.writeTextFile(`${root}/keys/id_ed25519`, "secret");
  await Deno.writeTextFile(`${root}/keys/other`, "secret");
  await Deno.writeTextFile(`${root}/deploy/files/app.conf`, "ok");
  await Deno.symlink(`${root}/keys/id_ed25519`, `${root}/deploy/files/key`);
  const policy = LocalPathPolicy.of({
    read: [`${root}/deploy`, `${root}/keys/id_ed25519`],
    write: [`${root}/out`],
  });
  const base = `${root}/deploy`;
  await t.step("inside the deploy directory, relative or absolute", () => {
    strictEqual(
      policy.resolve("files.put", "files/app.conf", "read", base),
      `${base}/files/app.conf`,
    );
    strictEqual(
      policy.resolve("files.put", `${base}/files/../files/app.conf`, "read", base),
      `${base}/files/app.conf`,
    );
  });
  await t.step(".. out of the deploy directory is refused", () => {
    throws(() => policy.resolve("files.put", "../keys/other", "read", base), {
      name: "LocalPathRefusal",
      message: readRefusal("files.put", "../keys/other", `${root}/keys/other`),
    });
  });
  await t.step("a symlink inside the deploy directory is judged by its target", () => {
    // The target is granted on its own, so the link reads it; revoke that grant and it is refused.
    strictEqual(policy.resolve("files.put", "files/key", "read", base), `${root}/keys/id_ed25519`);
    const narrow = LocalPathPolicy.of({ read: [base], write: [] });
    throws(() => narrow.resolve("files.put", "files/key", "read", base), {
      message: readRefusal("files.put", "files/key", `${root}/keys/id_ed25519`),
    });
  });
  await t.step(
    "a granted file grants nothing beside it; a directory not its prefix-siblings",
    () => {
      throws(() => policy.resolve("apt.key", `${root}/keys/other`, "read", base), LocalPathRefusal);
      throws(() => policy.resolve("files.put", `${root}/deploy-sibling/x`, "read", base), {
        message: readRefusal("files.put", `${root}/deploy-sibling/x`, `${root}/deploy-sibling/x`),
      });
    },
  );
  await t.step("writes only where write is granted, also for paths that do not exist yet", () => {
    strictEqual(
      policy.resolve("files.get", `${root}/out/new/file`, "write", base),
      `${root}/out/new/file`,
    );
    throws(() => policy.resolve("files.get", "files/app.conf", "write", base), {
      message: writeRefusal("files.get", "files/app.conf", `${base}/files/app.conf`),
    });
    throws(() => policy.resolve("files.get", `${root}/out/../keys/x`, "write", base), {
      message: writeRefusal("files.get", `${root}/out/../keys/x`, `${root}/keys/x`),
    });
  });
  await t.step("realLocalPath() resolves .. after a missing component", () => {
    strictEqual(realLocalPath(`${root}/missing/../keys/./other`), `${root}/keys/other`);
  });
});

/**
 * A call of every registered operation; local paths are `paths.read` (a file),
 * `paths.dir` (a directory) or `paths.write`. Adding an operation without a row
 * here fails the test below.
 */
const SAMPLES: Record<string, (paths: { read: string; dir: string; write: string }) => unknown[]> =
  {
    "server.shell": () => [["true"]],
    "server.script": (p) => [p.read],
    "files.put": (p) => [p.read, "/srv/x"],
    "files.get": (p) => ["/etc/hostname", p.write],
    "files.directory": () => ["/srv/x"],
    "files.file": () => ["/srv/x"],
    "files.link": () => ["/srv/x", "/srv/y"],
    "files.line": () => ["/srv/x", "a=1"],
    "files.block": () => ["/srv/x", "a=1"],
    "files.sync": (p) => [p.dir, "/srv/x"],
    "files.template": (p) => [p.read, "/srv/x"],
    "files.replace": () => ["/srv/x", "a", "b"],
    "files.copy": () => ["/srv/x", "/srv/y"],
    "files.move": () => ["/srv/x", "/srv/y"],
    "cron.entry": () => ["backup", { command: "true" }],
    "server.timezone": () => ["UTC"],
    "server.locale": () => ["C.UTF-8"],
    "server.wait": () => [{ path: "/srv/x" }],
    "server.user": () => ["deploy"],
    "server.group": () => ["site"],
    "server.hostname": () => ["web1"],
    "server.sysctl": () => ["net.core.somaxconn", 4096, { persist: true }],
    "server.reboot": () => [{}],
    "apt.packages": () => [["nginx"]],
    "apt.update": () => [{}],
    "apt.key": (p) => ["/etc/apt/keyrings/k.asc", { src: p.read }],
    "apt.repo": () => ["n", { uris: "https://x", suites: "bookworm", components: "main" }],
    "dnf.packages": () => [["nginx"]],
    "apk.packages": () => [["nginx"]],
    "packages.install": () => [["nginx"]],
    "systemd.service": () => ["nginx", { running: true }],
    "systemd.unit": () => ["app.service", "[Unit]\n"],
    "git.repo": () => ["https://example.org/x.git", "/srv/site"],
    "server.mount": () => ["/srv/data", { device: "tmpfs", fstype: "tmpfs" }],
    "server.modprobe": () => ["br_netfilter"],
    "files.download": () => ["https://example.org/x", "/srv/x"],
    "apt.deb": () => ["/srv/x.deb"],
    "apt.upgrade": () => [{}],
    "sysvinit.service": () => ["nginx", { running: true }],
    "openrc.service": () => ["nginx", { running: true }],
    "pacman.packages": () => [["nginx"]],
    "zypper.packages": () => [["nginx"]],
    "docker.container": () => ["web", { image: "nginx:1.25" }],
    "docker.image": () => ["nginx:1.25"],
    "docker.network": () => ["front"],
    "docker.volume": () => ["data"],
    "pip.venv": () => ["/srv/venv"],
    "pip.packages": () => [["flask"], { venv: "/srv/venv" }],
    "npm.packages": () => [["left-pad"], { dir: "/srv/app" }],
    "postgres.role": () => ["app", { login: true }],
    "postgres.database": () => ["app", { owner: "app" }],
    "mysql.user": () => ["app", { host: "localhost" }],
    "mysql.database": () => ["app"],
  };

Deno.test("every registered operation declares its local paths, and they are checked before it runs", async (t) => {
  deepStrictEqual(Object.keys(SAMPLES).sort(), Object.keys(OPERATIONS).sort());
  await using dir = await tempDir();
  const outside = await Deno.realPath(dir.path);
  await Deno.mkdir(`${outside}/tree`);
  const paths = { read: `${outside}/id_ed25519`, dir: `${outside}/tree`, write: `${outside}/got` };
  await Deno.writeTextFile(paths.read, "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot a secret\n");
  await Deno.writeTextFile(`${paths.dir}/file`, "x");
  const nothing = LocalPathPolicy.of({ read: [], write: [] });
  const granted = LocalPathPolicy.of({ read: [outside], write: [outside] });
  const host = { name: "web1", data: {}, groups: ["all"] };
  for (const [name, spec] of Object.entries(OPERATIONS)) {
    await t.step(name, async () => {
      const args = SAMPLES[name](paths);
      const declared = (spec.localPaths ?? []).flatMap(({ at, access }) => {
        const value = typeof at === "number" ? args[at] : (args[spec.positional] as never)[at];
        return typeof value === "string" ? [{ value, access }] : [];
      });
      const refused = connectorHarness(
        host,
        new RecordedFactsConnector(host, []),
        "/",
        {},
        nothing,
      );
      const outcome = await refused.dry(name, ...args).then(() => null, (error: Error) => error);
      if (declared.length > 0) {
        const first = declared[0];
        const message = first.access === "read"
          ? readRefusal(name, first.value, first.value)
          : writeRefusal(name, first.value, first.value);
        deepStrictEqual([outcome?.name, outcome?.message], ["LocalPathRefusal", message]);
        deepStrictEqual(refused.commands(), [], "refused before anything ran on the host");
      } else {
        // With nothing granted, an operation that touched a local path would be refused here.
        strictEqual(outcome instanceof LocalPathRefusal, false, outcome?.message);
      }
      const allowed = connectorHarness(
        host,
        new RecordedFactsConnector(host, []),
        "/",
        {},
        granted,
      );
      const ran = await allowed.dry(name, ...args).then(() => null, (error: Error) => error);
      strictEqual(ran instanceof LocalPathRefusal, false, ran?.message);
    });
  }
});

Deno.test("operations reach local files only through the policy's resolveLocal/readLocal", async () => {
  const found: Record<string, string[]> = {};
  const root = new URL("../../lib/operations/", import.meta.url);
  // Subfolders too (the Jinja2 engine in jinja/ must stay pure).
  const walk = async (sub: string): Promise<void> => {
    for await (const entry of Deno.readDir(new URL(sub, root))) {
      if (entry.isDirectory) {
        await walk(`${sub}${entry.name}/`);
        continue;
      }
      const text = await Deno.readTextFile(new URL(`${sub}${entry.name}`, root));
      const calls = text.match(
        /Deno\.(read|write|open|create|stat|lstat|realPath|copyFile|rename|remove|mkdir|symlink|link|truncate|chmod|chown)\w*|FileSystemLoader/g,
      );
      if (calls) found[`${sub}${entry.name}`] = [...new Set(calls)].sort();
    }
  };
  await walk("");
  // Each of these reads or writes only a path resolveLocal returned (checked by the policy);
  // local_files.ts reads the paths registry.ts and files_sync.ts resolved.
  deepStrictEqual(found, {
    "files.ts": ["Deno.stat"],
    "files_sync.ts": ["Deno.readDir", "Deno.readFile", "Deno.stat"],
    "local_files.ts": ["Deno.open", "Deno.readFile", "Deno.stat"],
    "local_paths.ts": ["Deno.realPathSync"],
    "template.ts": ["Deno.readTextFileSync"],
  });
});

Deno.test("template includes go through the policy too", async () => {
  await using dir = await tempDir();
  const root = await Deno.realPath(dir.path);
  await Deno.mkdir(`${root}/deploy/templates`, { recursive: true });
  await Deno.writeTextFile(`${root}/key`, "secret");
  await Deno.symlink(`${root}/key`, `${root}/deploy/templates/k`);
  await Deno.writeTextFile(`${root}/deploy/templates/app.j2`, "{% include 'k' %}\n");
  const policy = LocalPathPolicy.of({ read: [`${root}/deploy`], write: [] });
  const host = { name: "web1", data: {}, groups: ["all"] };
  const h = connectorHarness(
    host,
    new RecordedFactsConnector(host, []),
    `${root}/deploy`,
    {},
    policy,
  );
  await rejects(h.dry("files.template", "templates/app.j2", "/srv/app"), {
    name: "LocalPathRefusal",
    message: readRefusal("files.template", `${root}/deploy/templates/k`, `${root}/key`),
  });
});
