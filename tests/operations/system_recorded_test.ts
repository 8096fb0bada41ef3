import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { recordedHarness } from "../helpers/recorded_facts.ts";

const DPKG = { match: "dpkg-query", stdout: "ii \tbash\t5.2\nii \tcurl\t7.88\nrc \tgone\t1\n" };
const APT = "DEBIAN_FRONTEND=noninteractive apt-get -y -o DPkg::Lock::Timeout=120 " +
  "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold";
const SYSTEMD_UP = { match: "if [ -d /run/systemd/system ]", stdout: "yes\n" };

/** Commands after the fact-gathering ones (which the facts' own tests cover). */
function changes(commands: string[], factPrefixes: string[]): string[] {
  return commands.filter((c) => !factPrefixes.some((p) => c.startsWith(p)));
}

Deno.test("apt.packages installs only what is missing, in one apt-get call", async (t) => {
  await t.step("first run installs the missing ones", async () => {
    const h = recordedHarness([DPKG]);
    const result = await h.op("apt.packages", ["bash", "nginx", "git=1:2.39.5-0+deb12u2"], {
      noRecommends: true,
    });
    deepStrictEqual([result.changed, result.description], [
      true,
      "installed nginx git=1:2.39.5-0+deb12u2",
    ]);
    deepStrictEqual(changes(h.commands(), ["dpkg-query"]), [
      `${APT} install --no-install-recommends nginx git=1:2.39.5-0+deb12u2`,
    ]);
  });
  await t.step("nothing missing runs nothing", async () => {
    const h = recordedHarness([DPKG]);
    const result = await h.op("apt.packages", ["bash", "curl"]);
    deepStrictEqual([result.changed, result.description], [false, "bash curl installed"]);
    deepStrictEqual(changes(h.commands(), ["dpkg-query"]), []);
  });
  await t.step("latest upgrades what apt-cache policy says is outdated", async () => {
    const h = recordedHarness([DPKG, {
      match: "LC_ALL=C apt-cache policy",
      stdout:
        "bash:\n  Installed: 5.2\n  Candidate: 5.2\ncurl:\n  Installed: 7.88\n  Candidate: 7.89\n",
    }]);
    const result = await h.op("apt.packages", ["bash", "curl"], { latest: true });
    strictEqual(result.description, "upgraded curl");
    deepStrictEqual(changes(h.commands(), ["dpkg-query"]), [
      "LC_ALL=C apt-cache policy bash curl",
      `${APT} install curl`,
    ]);
  });
  await t.step("present false removes only installed ones", async () => {
    const h = recordedHarness([DPKG]);
    const result = await h.op("apt.packages", ["curl", "gone"], { present: false });
    strictEqual(result.description, "removed curl");
    deepStrictEqual(changes(h.commands(), ["dpkg-query"]), [`${APT} remove curl`]);
  });
  await t.step("update with a fresh cache does not update", async () => {
    const h = recordedHarness([DPKG, { match: "s=/var/lib/apt/periodic", stdout: "100\n" }]);
    await h.op("apt.packages", "bash", { update: true, cacheTime: 3600 });
    deepStrictEqual(changes(h.commands(), ["dpkg-query", "s=/var"]), []);
  });
  await t.step("update with a stale cache updates first", async () => {
    const h = recordedHarness([DPKG, { match: "s=/var/lib/apt/periodic", stdout: "7200\n" }]);
    const result = await h.op("apt.packages", "bash", { update: true, cacheTime: 3600 });
    strictEqual(result.changed, false);
    deepStrictEqual(changes(h.commands(), ["dpkg-query", "s=/var"]), [
      `${APT} update && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/update-success-stamp`,
    ]);
  });
  await t.step("dry run changes nothing: it asks apt for a simulation only", async () => {
    const h = recordedHarness([DPKG]);
    const result = await h.dry("apt.packages", ["nginx"], { update: true });
    deepStrictEqual([result.changed, result.description, result.diff], [
      true,
      "installed nginx",
      "+nginx",
    ]);
    deepStrictEqual(changes(h.commands(), ["dpkg-query"]), [
      "LC_ALL=C apt-get -s -o Debug::NoLocking=1 install nginx",
    ]);
  });
  await t.step("bad names are input errors", async () => {
    const h = recordedHarness([DPKG]);
    await rejects(h.op("apt.packages", ["nginx; rm -rf /"]), {
      name: "InputError",
      message:
        'apt.packages: packages must be a package name or a list of names, got ["nginx; rm -rf /"]',
    });
  });
});

Deno.test("dnf.packages and apk.packages plan from rpm and apk facts", async (t) => {
  await t.step("dnf installs missing and upgrades outdated", async () => {
    const h = recordedHarness([
      { match: "rpm -qa", stdout: "bash\t5.2.26-3.fc40\ncurl\t8.6.0-7.fc40\n" },
      { match: "dnf -q list --upgrades", stdout: "curl.x86_64  8.6.0-8.fc40  updates\n" },
    ]);
    const result = await h.op("dnf.packages", ["bash", "curl", "nginx"], { latest: true });
    strictEqual(result.description, "installed nginx, upgraded curl");
    deepStrictEqual(changes(h.commands(), ["rpm -qa"]), [
      "dnf -q list --upgrades bash curl 2>/dev/null || true",
      "dnf install -y nginx",
      "dnf upgrade -y curl",
    ]);
    const again = recordedHarness([{ match: "rpm -qa", stdout: "bash\t5\nnginx\t1\n" }]);
    strictEqual((await again.op("dnf.packages", ["bash", "nginx"])).changed, false);
  });
  await t.step("apk installs missing, removes", async () => {
    const facts = { match: "apk info -v", stdout: "busybox-1.36.1-r29\ncurl-8.9.0-r0\n" };
    const h = recordedHarness([facts]);
    await h.op("apk.packages", ["curl", "nginx"], { update: true });
    deepStrictEqual(changes(h.commands(), ["apk info"]), ["apk update", "apk add nginx"]);
    const r = recordedHarness([facts]);
    strictEqual(
      (await r.op("apk.packages", "curl", { present: false })).description,
      "removed curl",
    );
    deepStrictEqual(changes(r.commands(), ["apk info"]), ["apk del curl"]);
  });
  await t.step(
    "packages.install picks the manager from os-release, then from the tools",
    async () => {
      const alpine = recordedHarness([
        { match: "cat /etc/os-release", stdout: "ID=alpine\n" },
        { match: "apk info -v", stdout: "" },
      ]);
      await alpine.op("packages.install", "nginx");
      deepStrictEqual(changes(alpine.commands(), ["cat /etc", "apk info"]), ["apk add nginx"]);
      const mint = recordedHarness([
        { match: "cat /etc/os-release", stdout: "ID=linuxmint\nID_LIKE=ubuntu\n" },
        DPKG,
      ]);
      await mint.op("packages.install", "nginx");
      deepStrictEqual(changes(mint.commands(), ["cat /etc", "dpkg-query"]), [
        `${APT} install nginx`,
      ]);
      const unknown = recordedHarness([
        { match: "cat /etc/os-release", stdout: "ID=mystery\n" },
        { match: "for m in", stdout: "dnf\n" },
        { match: "rpm -qa", stdout: "" },
      ]);
      await unknown.op("packages.install", "nginx");
      deepStrictEqual(changes(unknown.commands(), ["cat /etc", "for m", "rpm"]), [
        "dnf install -y nginx",
      ]);
      const none = recordedHarness([{ match: "cat /etc/os-release", stdout: "ID=mystery\n" }]);
      await rejects(none.op("packages.install", "nginx"), {
        name: "OperationError",
        message:
          "packages.install: no supported package manager on web1 (looked for apt-get, dnf and apk)",
      });
    },
  );
});

const UNIT = (state: string) => ({ match: "u=", stdout: state });

Deno.test("systemd.service under systemd as PID 1 uses systemctl", async (t) => {
  const stopped = UNIT("systemd=yes\nsystemctl=yes\nactive=inactive\nenabled=disabled\n");
  const running = UNIT("systemd=yes\nsystemctl=yes\nactive=active\nenabled=enabled\n");
  await t.step("start and enable once", async () => {
    const h = recordedHarness([stopped]);
    const result = await h.op("systemd.service", "nginx", {
      running: true,
      enabled: true,
      daemonReload: true,
    });
    strictEqual(result.description, "started nginx, enabled nginx");
    deepStrictEqual(changes(h.commands(), ["u="]), [
      "systemctl daemon-reload",
      "systemctl start nginx.service",
      "systemctl enable nginx.service",
    ]);
  });
  await t.step("already so: nothing", async () => {
    const h = recordedHarness([running]);
    const result = await h.op("systemd.service", "nginx", { running: true, enabled: true });
    deepStrictEqual([result.changed, result.description], [false, "nginx is running, enabled"]);
    deepStrictEqual(changes(h.commands(), ["u="]), []);
  });
  await t.step("changed restarts; changed false does not; reloaded reloads", async () => {
    const h = recordedHarness([running]);
    strictEqual(
      (await h.op("systemd.service", "nginx", { running: true, changed: false })).changed,
      false,
    );
    strictEqual(
      (await h.op("systemd.service", "nginx", { running: true, changed: true }))
        .description,
      "restarted nginx",
    );
    strictEqual(
      (await h.op("systemd.service", "nginx", { reloaded: true })).description,
      "reloaded nginx",
    );
    deepStrictEqual(changes(h.commands(), ["u="]), [
      "systemctl restart nginx.service",
      "systemctl reload nginx.service",
    ]);
  });
  await t.step("a service just started is not restarted again", async () => {
    const h = recordedHarness([stopped]);
    const result = await h.op("systemd.service", "app.socket", { running: true, restarted: true });
    strictEqual(result.description, "started app.socket");
  });
  await t.step("stop and disable", async () => {
    const h = recordedHarness([running]);
    await h.op("systemd.service", "nginx", { running: false, enabled: false });
    deepStrictEqual(changes(h.commands(), ["u="]), [
      "systemctl stop nginx.service",
      "systemctl disable nginx.service",
    ]);
  });
  await t.step("systemd.unit writes the unit and reloads when it changed", async () => {
    const h = recordedHarness([{ match: "p=", stdout: "skiff:missing\n" }, SYSTEMD_UP]);
    const result = await h.op("systemd.unit", "app.service", "[Service]\nExecStart=/bin/true\n");
    strictEqual(result.description, "created /etc/systemd/system/app.service");
    // Small content is written by one command (with its directory), not uploaded.
    deepStrictEqual(h.connector.uploaded, []);
    deepStrictEqual(changes(h.commands(), ["p=", "if [ -d /run/systemd"]), [
      "upload 30 bytes -> /etc/systemd/system/app.service",
      "systemctl daemon-reload",
    ]);
  });
});

Deno.test("systemd.service without systemd falls back or says what is missing", async (t) => {
  await t.step("init script with service, enable with update-rc.d", async () => {
    const h = recordedHarness([
      UNIT(
        "systemd=no\nservice=yes\nupdate-rc.d=yes\ninit-script=yes\nstatus=3\nenabled=disabled\n",
      ),
    ]);
    await h.op("systemd.service", "nginx", { running: true, enabled: true });
    deepStrictEqual(changes(h.commands(), ["u="]), [
      "service nginx start",
      "update-rc.d nginx defaults && update-rc.d nginx enable",
    ]);
  });
  await t.step(
    "no service command: the init script itself; systemctl --root=/ enables",
    async () => {
      const h = recordedHarness([
        UNIT("systemd=no\nsystemctl=yes\ninit-script=yes\nstatus=0\nenabled=enabled\n"),
      ]);
      await h.op("systemd.service", "nginx", { running: false, enabled: false });
      deepStrictEqual(changes(h.commands(), ["u="]), [
        "/etc/init.d/nginx stop",
        "systemctl --root=/ disable nginx.service",
      ]);
    },
  );
  await t.step("nothing to start with is a clear error", async () => {
    const h = recordedHarness([UNIT("systemd=no\n")]);
    await rejects(h.op("systemd.service", "app", { running: true }), {
      name: "OperationError",
      message:
        "systemd.service: cannot start app.service on web1: systemd is not running there (no /run/systemd/system) and there is no /etc/init.d/app to fall back to",
    });
    await rejects(h.op("systemd.service", "app", { enabled: true }), {
      name: "OperationError",
      message:
        "systemd.service: cannot enable app.service on web1: systemd is not running there, systemctl is not installed, and update-rc.d is not installed",
    });
  });
});

Deno.test("server.hostname and server.sysctl generate the right commands", async (t) => {
  await t.step("hostname under systemd uses hostnamectl, else /etc/hostname", async () => {
    const up = recordedHarness([{ match: "uname -n;", stdout: "old\nold\n" }, SYSTEMD_UP]);
    strictEqual(
      (await up.op("server.hostname", "web1.example")).description,
      "hostname old -> web1.example",
    );
    deepStrictEqual(changes(up.commands(), ["uname", "if [ -d"]), [
      "hostnamectl set-hostname web1.example",
    ]);
    const down = recordedHarness([{ match: "uname -n;", stdout: "old\nold\n" }]);
    await down.op("server.hostname", "web1");
    deepStrictEqual(changes(down.commands(), ["uname", "if [ -d"]), [
      "echo web1 > /etc/hostname && hostname web1",
    ]);
    const same = recordedHarness([{ match: "uname -n;", stdout: "web1\nweb1\n" }]);
    strictEqual((await same.op("server.hostname", "web1")).changed, false);
    await rejects(same.op("server.hostname", "-bad"), {
      name: "InputError",
      message: 'server.hostname: not a valid host name: "-bad"',
    });
  });
  await t.step("sysctl -w only when the value differs", async () => {
    const h = recordedHarness([{ match: "sysctl -n", stdout: "4096\t131072\t6291456\n" }]);
    strictEqual(
      (await h.op("server.sysctl", "net.ipv4.tcp_rmem", "4096 131072 6291456")).changed,
      false,
    );
    const result = await h.op("server.sysctl", "net.ipv4.tcp_rmem", "4096 262144 6291456");
    strictEqual(result.description, "net.ipv4.tcp_rmem 4096 131072 6291456 -> 4096 262144 6291456");
    deepStrictEqual(h.commands().filter((c) => c.startsWith("sysctl -w")), [
      "sysctl -w 'net.ipv4.tcp_rmem=4096 262144 6291456'",
    ]);
  });
});
