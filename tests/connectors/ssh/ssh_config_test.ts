import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { expandTokens, matchesPatterns, SshConfig } from "../../../connectors/ssh/ssh_config.ts";
import { tempDir } from "../../helpers/temp.ts";

Deno.test("matchesPatterns() handles *, ?, ! and comma lists", () => {
  strictEqual(matchesPatterns("web1.example.com", ["*.example.com"]), true);
  strictEqual(matchesPatterns("web1", ["web?"]), true);
  strictEqual(matchesPatterns("web12", ["web?"]), false);
  strictEqual(matchesPatterns("db1.example.com", ["*.example.com", "!db*"]), false);
  strictEqual(matchesPatterns("b", ["a,b"]), true);
  strictEqual(matchesPatterns("x", ["!y"]), false);
});

Deno.test("SshConfig resolves first values, collects IdentityFile and follows Include globs", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.join("conf.d"));
  await Deno.writeTextFile(dir.join("conf.d/a.conf"), "Host inc\n  HostName included.example\n");
  await Deno.writeTextFile(dir.join("conf.d/b.conf"), "Host web*\n  IdentityFile ~/.ssh/second\n");
  const text = `Include conf.d/*.conf
Host web1
  HostName 10.0.0.5
  User deploy
  Port 2222
  IdentityFile ~/.ssh/first
  ProxyJump bastion
Match host web1
  User ignored
Host *
  User fallback
  Port 22
  StrictHostKeyChecking accept-new
  UserKnownHostsFile=~/.ssh/kh_%h
`;
  const config = await SshConfig.parse(text, { sshDir: dir.path, home: "/home/me" });
  deepStrictEqual(config.resolve("web1"), {
    identityfile: ["~/.ssh/second", "~/.ssh/first"],
    hostname: ["10.0.0.5"],
    user: ["deploy"],
    port: ["2222"],
    proxyjump: ["bastion"],
    stricthostkeychecking: ["accept-new"],
    userknownhostsfile: ["~/.ssh/kh_%h"],
  });
  deepStrictEqual(config.resolve("inc").hostname, ["included.example"]);
  deepStrictEqual(config.resolve("other").user, ["fallback"]);
});

Deno.test("SshConfig applies Match blocks by host, originalhost, user, localuser, all and negation", async () => {
  const text = `Host db
  HostName db.internal
Match host db.internal
  Port 2200
Match originalhost db
  User dba
Match localuser me !host *.internal
  IdentityFile ~/.ssh/me_key
Match user admin
  ForwardAgent yes
Match exec "true"
  Compression yes
Match all
  ConnectTimeout 5
`;
  const config = await SshConfig.parse(text, { sshDir: "/nowhere", home: "/home/me" });
  deepStrictEqual(config.resolve("db", { localUser: "me" }), {
    hostname: ["db.internal"],
    port: ["2200"],
    user: ["dba"],
    connecttimeout: ["5"],
  });
  deepStrictEqual(config.resolve("web", { localUser: "me", user: "admin" }), {
    identityfile: ["~/.ssh/me_key"],
    forwardagent: ["yes"],
    connecttimeout: ["5"],
  });
  deepStrictEqual(config.resolve("web", { localUser: "you" }), { connecttimeout: ["5"] });
});

Deno.test("expandTokens() expands %h %p %r %u %d %% and ~", () => {
  strictEqual(
    expandTokens("~/.ssh/%r@%h:%p-%u-%d-%%", {
      host: "h",
      port: 2,
      user: "r",
      localUser: "u",
      home: "/home/u",
    }),
    "/home/u/.ssh/r@h:2-u-/home/u-%",
  );
});

Deno.test("matchesPatterns() ignores case and takes [sets] like every other skiff glob", () => {
  strictEqual(matchesPatterns("WEB1.Example.COM", ["*.example.com"]), true);
  strictEqual(matchesPatterns("web2", ["web[1-3]"]), true);
  strictEqual(matchesPatterns("web4", ["web[1-3]"]), false);
  strictEqual(matchesPatterns("web4", ["web[!1-3]"]), true);
  strictEqual(matchesPatterns("web.1", ["web?1", "!web.1"]), false);
});

Deno.test("SshConfig Include globs match file names only, never across a /", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.join("conf.d/sub"), { recursive: true });
  await Deno.writeTextFile(dir.join("conf.d/a.conf"), "Host a\n  User from-a\n");
  await Deno.writeTextFile(dir.join("conf.d/sub/b.conf"), "Host b\n  User from-b\n");
  await Deno.writeTextFile(dir.join("conf.d/c.txt"), "Host c\n  User from-c\n");
  const config = await SshConfig.parse("Include conf.d/*.conf\n", {
    sshDir: dir.path,
    home: "/home/me",
  });
  deepStrictEqual([config.resolve("a"), config.resolve("b"), config.resolve("c")], [
    { user: ["from-a"] },
    {},
    {},
  ]);
});
