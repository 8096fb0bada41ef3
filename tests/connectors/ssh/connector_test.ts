import { deepStrictEqual, match, rejects, strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes, assertStartsWith } from "../../helpers/assert_text.ts";
import { SshConnector } from "../../../connectors/ssh/connector.ts";
import { secret } from "../../../lib/core/command.ts";
import { runProcess } from "../../../lib/process.ts";
import {
  ensureTestUser,
  freePort,
  generateKey,
  sshHostData,
  startSshd,
  TEST_PASSWORD,
  TEST_USER,
  type TestSshd,
} from "../../helpers/sshd.ts";
import { randomBytes, sha256Hex, tempDir } from "../../helpers/temp.ts";

function connector(sshd: TestSshd, data: Record<string, unknown> = {}): SshConnector {
  return new SshConnector({
    name: `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`,
    data: { ...sshHostData(sshd), ...data },
    groups: [],
  }, { runProcess });
}

async function connected<T>(c: SshConnector, fn: (c: SshConnector) => Promise<T>): Promise<T> {
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.disconnect();
  }
}

function psArgs(): string {
  return new TextDecoder().decode(
    new Deno.Command("ps", { args: ["-eo", "stat,args"] }).outputSync().stdout,
  );
}

Deno.test("SshConnector runs commands with streams, stdin, pty, exit codes and signals", async (t) => {
  await using sshd = await startSshd();
  await connected(connector(sshd), async (c) => {
    await t.step("stdout and stderr apart, exit code", async () => {
      const r = await c.runShellCommand("echo out; echo err >&2; exit 3");
      deepStrictEqual([r.success, r.exitCode, r.output.stdoutLines, r.output.stderrLines], [
        false,
        3,
        ["out"],
        ["err"],
      ]);
      strictEqual((await c.runShellCommand("exit 3", { _success_exit_codes: [3] })).success, true);
    });
    await t.step("the user and control arguments", async () => {
      const r = await c.runShellCommand(`printf '%s %s %s' "$(id -un)" "$PWD" "$A"`, {
        _chdir: "/tmp",
        _env: { A: "$(x)" },
      });
      strictEqual(r.output.stdout, `${TEST_USER} /tmp $(x)`);
    });
    await t.step("stdin", async () => {
      strictEqual(
        (await c.runShellCommand("wc -c", { _stdin: new Uint8Array(100_000) })).output.stdout
          .trim(),
        "100000",
      );
      strictEqual((await c.runShellCommand("cat", { _stdin: ["a", "b"] })).output.stdout, "a\nb");
    });
    await t.step("pty", async () => {
      const r = await c.runShellCommand("[ -t 0 ] && echo tty", { _get_pty: true });
      strictEqual(r.output.stdout.trim(), "tty");
    });
    await t.step("signal", async () => {
      const r = await c.runShellCommand("kill -TERM $$");
      strictEqual(r.success, false);
      strictEqual(r.exitCode === 143 || r.signal === "TERM", true, JSON.stringify(r));
    });
    await t.step("many commands at once share one connection", async () => {
      const results = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) => c.runShellCommand(`echo ${i}`, i % 2 ? { _stdin: "" } : {}),
        ),
      );
      deepStrictEqual(
        results.map((r) => r.output.stdout),
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
    });
    await t.step("secrets reach the command through stdin, never argv", async () => {
      const value = `pw-${crypto.randomUUID()}`;
      const { sh } = await import("../../../lib/core/command.ts");
      let seen = "";
      // A sleep of its own length marks the command in ps: the watch must have seen it run.
      const sleep = `0.3${Math.floor(Math.random() * 1e6)}`;
      const watch = setInterval(() => (seen += psArgs()), 30);
      const r = await c.runShellCommand(sh`printf %s ${secret(value)}; sleep ${sleep}`, {
        _stdin: "",
      });
      clearInterval(watch);
      strictEqual(r.output.stdout, value);
      assertIncludes(seen, `sleep ${sleep}`, "the command ran while ps watched");
      assertExcludes(seen, value);
    });
    await t.step("multi-line secrets arrive exactly, on a channel and in the shell", async () => {
      const { sh } = await import("../../../lib/core/command.ts");
      const value = `-----BEGIN KEY-----\nline 'two' "$HOME" \\n\n\nend ${crypto.randomUUID()}\n`;
      const print = sh`printf %s ${secret(value)}`;
      const channel = await c.runShellCommand(print, { _timeout: 10 });
      const withStdin = await c.runShellCommand(sh`${print}; cat`, { _stdin: "+in" });
      const shell = await c.runShellCommand(print);
      const bytes = (r: { output: { lines: readonly { line: string }[] } }) =>
        r.output.lines.map((l) => l.line).join("\n");
      deepStrictEqual([bytes(channel), bytes(withStdin), bytes(shell)], [
        value.replace(/\n$/, ""),
        value + "+in",
        value.replace(/\n$/, ""),
      ]);
    });
  });
});

Deno.test("SshConnector _timeout kills the remote process", async () => {
  await using sshd = await startSshd();
  const marker = `skiff-remote-${crypto.randomUUID().slice(0, 8)}`;
  await connected(connector(sshd), async (c) => {
    const started = Date.now();
    const r = await c.runShellCommand(`sh -c 'sleep 30; echo ${marker}'`, { _timeout: 1 });
    strictEqual(r.timedOut, true);
    strictEqual(r.error, "timed out");
    strictEqual(Date.now() - started < 5000, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const left = psArgs().split("\n").filter((l) => l.includes(marker) && !l.startsWith("Z"));
    deepStrictEqual(left, []);
    strictEqual((await c.runShellCommand("echo still")).output.stdout, "still");
  });
});

Deno.test("SshConnector runs commands that carry an abort signal in its persistent shell, and an abort kills them", async () => {
  await using sshd = await startSshd();
  const marker = `skiff-abort-${crypto.randomUUID().slice(0, 8)}`;
  await connected(connector(sshd), async (c) => {
    const controller = new AbortController();
    const signal = controller.signal;
    // skiff's own scripts share the one shell: the same `$$` each time.
    const first = await c.runShellCommand("echo $$", { signal, sharedShell: true });
    const second = await c.runShellCommand("echo $$", { signal, sharedShell: true });
    strictEqual(first.output.stdout, second.output.stdout);
    match(first.output.stdout, /^\d+$/);
    // An operator's command gets a shell, and a `$$`, of its own.
    const own = await c.runShellCommand("echo $$", { signal });
    strictEqual(/^\d+$/.test(own.output.stdout) && own.output.stdout !== first.output.stdout, true);
    const running = c.runShellCommand(`echo started; sh -c 'sleep 30; echo ${marker}'`, {
      signal,
      onOutput: (line) => line.line === "started" && controller.abort(),
    });
    const started = Date.now();
    const r = await running;
    deepStrictEqual([r.success, r.exitCode, r.error, r.output.stdout], [
      false,
      null,
      "interrupted",
      "started",
    ]);
    strictEqual(Date.now() - started < 3000, true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const left = psArgs().split("\n").filter((l) => l.includes(marker) && !l.startsWith("Z"));
    deepStrictEqual(left, []);
    // Later commands still run, each on its own channel.
    const third = await c.runShellCommand("echo $$", { sharedShell: true });
    strictEqual(third.output.stdout === first.output.stdout, false);
  });
});

Deno.test("SshConnector fails fast with connection lost when sshd dies mid-command", async () => {
  await using sshd = await startSshd();
  const c = connector(sshd, { ssh_keepalive_interval: 1 });
  await c.connect();
  try {
    const running = c.runShellCommand("sleep 30");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await sshd.kill();
    await new Deno.Command("pkill", { args: ["-KILL", "-u", TEST_USER] }).output();
    const r = await running;
    strictEqual(r.success, false);
    strictEqual(r.error, "connection lost");
    strictEqual(Date.now() - started < 5000, true);
    const later = await c.runShellCommand("true");
    assertStartsWith(later.error, "connection lost");
  } finally {
    await c.disconnect();
  }
});

Deno.test("SshConnector authenticates with an encrypted key, a password and the agent", async (t) => {
  await using sshd = await startSshd({ password: true });
  await using dir = await tempDir();
  const encrypted = await generateKey(dir.join("enc"), "rsa", "correct horse");
  await Deno.writeTextFile(
    `${sshd.dir}/authorized_keys`,
    await Deno.readTextFile(`${encrypted}.pub`),
    { append: true },
  );
  await t.step("encrypted key with its passphrase", async () => {
    const c = connector(sshd, { ssh_key: encrypted, ssh_key_password: "correct horse" });
    strictEqual(
      await connected(c, async (c) => (await c.runShellCommand("echo ok")).output.stdout),
      "ok",
    );
  });
  await t.step("encrypted key without its passphrase", async () => {
    await rejects(connector(sshd, { ssh_key: encrypted }).connect(), {
      name: "ConnectError",
      message:
        `Authentication failed for ${TEST_USER}@127.0.0.1:${sshd.port}: tried none (no key, agent or password was usable); ${encrypted}: the key is encrypted and no usable ssh_key_password was given`,
    });
  });
  await t.step("password", async () => {
    const c = connector(sshd, { ssh_key: undefined, ssh_password: TEST_PASSWORD });
    strictEqual(
      await connected(c, async (c) => (await c.runShellCommand("echo pw")).output.stdout),
      "pw",
    );
  });
  await t.step("wrong password lists the methods tried", async () => {
    await rejects(connector(sshd, { ssh_key: undefined, ssh_password: "wrong" }).connect(), {
      name: "ConnectError",
      message: `Authentication failed for ${TEST_USER}@127.0.0.1:${sshd.port}: tried password`,
    });
  });
  await t.step("agent", async () => {
    const socket = dir.join("agent.sock");
    const agent = new Deno.Command("ssh-agent", {
      args: ["-D", "-a", socket],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      for (let i = 0; i < 100 && !(await Deno.stat(socket).then(() => true, () => false)); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const add = await new Deno.Command("ssh-add", {
        args: [sshd.clientKey],
        env: { SSH_AUTH_SOCK: socket },
      }).output();
      strictEqual(add.success, true);
      const previous = Deno.env.get("SSH_AUTH_SOCK");
      Deno.env.set("SSH_AUTH_SOCK", socket);
      try {
        const c = connector(sshd, { ssh_key: undefined, ssh_allow_agent: true });
        strictEqual(
          await connected(c, async (c) => (await c.runShellCommand("echo agent")).output.stdout),
          "agent",
        );
      } finally {
        if (previous === undefined) Deno.env.delete("SSH_AUTH_SOCK");
        else Deno.env.set("SSH_AUTH_SOCK", previous);
      }
    } finally {
      agent.kill();
      await agent.status;
    }
  });
});

Deno.test("SshConnector retries refused connections but never authentication failures", async (t) => {
  await t.step("refused port: 1 + retries attempts", async () => {
    const port = freePort();
    const listener = Deno.listen({ hostname: "127.0.0.1", port });
    let accepted = 0;
    const accepting = (async () => {
      for await (const conn of listener) {
        accepted++;
        conn.close();
      }
    })();
    const c = new SshConnector({
      name: "x",
      data: {
        ssh_hostname: "127.0.0.1",
        ssh_port: port,
        ssh_connect_retries: 2,
        ssh_config_file: "/dev/null",
      },
      groups: [],
    }, { runProcess });
    await rejects(c.connect(), {
      name: "ConnectError",
      message: `Cannot connect to 127.0.0.1:${port}: Connection lost before handshake`,
    });
    listener.close();
    await accepting.catch(() => {});
    strictEqual(accepted, 3);
  });
  await t.step("authentication failures are not retried", async () => {
    await using sshd = await startSshd();
    await using dir = await tempDir();
    const stranger = await generateKey(dir.join("stranger"));
    const started = Date.now();
    await rejects(
      connector(sshd, { ssh_key: stranger, ssh_connect_retries: 5, ssh_connect_retry_min_delay: 1 })
        .connect(),
      {
        message:
          `Authentication failed for ${TEST_USER}@127.0.0.1:${sshd.port}: tried publickey (${stranger})`,
      },
    );
    strictEqual(Date.now() - started < 3000, true);
  });
});

Deno.test("SshConnector checks host keys: yes refuses unknown, accept-new appends one line, a changed key is refused", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  const file = dir.join("known_hosts");
  const original = "# mine\nexample.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0\n";
  const fp = new TextDecoder().decode(
    (await new Deno.Command("ssh-keygen", {
      args: ["-l", "-E", "sha256", "-f", `${sshd.dir}/host_ed25519.pub`],
    }).output())
      .stdout,
  ).split(" ")[1];
  await t.step("yes refuses an unknown host", async () => {
    await Deno.writeTextFile(file, original);
    await rejects(
      connector(sshd, { ssh_known_hosts_file: file, ssh_strict_host_key_checking: "yes" })
        .connect(),
      {
        name: "ConnectError",
        message:
          `Host key of 127.0.0.1:${sshd.port} is not in ${file} and ssh_strict_host_key_checking is yes: its fingerprint is ${fp}`,
      },
    );
    strictEqual(await Deno.readTextFile(file), original);
  });
  await t.step("accept-new appends exactly one line", async () => {
    const c = connector(sshd, {
      ssh_known_hosts_file: file,
      ssh_strict_host_key_checking: "accept-new",
    });
    await connected(c, async () => {});
    strictEqual(
      await Deno.readTextFile(file),
      `${original}[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`,
    );
    await connected(
      connector(sshd, { ssh_known_hosts_file: file, ssh_strict_host_key_checking: "yes" }),
      async () => {},
    );
  });
  await t.step("no accepts without writing", async () => {
    await Deno.writeTextFile(file, original);
    await connected(
      connector(sshd, { ssh_known_hosts_file: file, ssh_strict_host_key_checking: "no" }),
      async () => {},
    );
    strictEqual(await Deno.readTextFile(file), original);
  });
  await t.step("a changed key is refused with the file and line to fix", async () => {
    const other = await generateKey(dir.join("other"));
    const otherLine = (await Deno.readTextFile(`${other}.pub`)).trim().split(" ").slice(0, 2).join(
      " ",
    );
    await Deno.writeTextFile(file, `${original}[127.0.0.1]:${sshd.port} ${otherLine}\n`);
    const expected = new TextDecoder().decode(
      (await new Deno.Command("ssh-keygen", { args: ["-l", "-E", "sha256", "-f", `${other}.pub`] })
        .output()).stdout,
    ).split(" ")[1];
    await rejects(
      connector(sshd, { ssh_known_hosts_file: file, ssh_strict_host_key_checking: "no" }).connect(),
      {
        message:
          `Host key of 127.0.0.1:${sshd.port} has CHANGED: the server offers ${fp} but ${file}:3 expects ${expected}. ` +
          `If the change is expected, remove line 3 of ${file}`,
      },
    );
  });
});

Deno.test("SshConnector reaches a host through a jump host (ProxyJump)", async () => {
  await using jump = await startSshd();
  await using target = await startSshd({
    authorize: [await Deno.readTextFile(`${jump.clientKey}.pub`)],
  });
  await using dir = await tempDir();
  const known = dir.join("known_hosts");
  await Deno.writeTextFile(
    known,
    (await Deno.readTextFile(jump.knownHosts)) + (await Deno.readTextFile(target.knownHosts)),
  );
  const c = connector(target, {
    ssh_key: jump.clientKey,
    ssh_known_hosts_file: known,
    ssh_proxy_jump: `${TEST_USER}@127.0.0.1:${jump.port}`,
  });
  const out = await connected(
    c,
    async (c) => (await c.runShellCommand("echo $SSH_CONNECTION")).output.stdout,
  );
  strictEqual(out.split(" ")[3], String(target.port));
});

Deno.test("SshConnector uses ~/.ssh/config: HostName, Port, User, IdentityFile, UserKnownHostsFile", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("config"),
    `Host myalias\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${TEST_USER}\n  IdentityFile ${sshd.clientKey}\n  UserKnownHostsFile ${sshd.knownHosts}\n  StrictHostKeyChecking yes\n`,
  );
  const c = new SshConnector({
    name: "@ssh/myalias",
    data: { ssh_hostname: "myalias", ssh_config_file: dir.join("config"), ssh_allow_agent: false },
    groups: [],
  }, { runProcess });
  strictEqual(
    await connected(c, async (c) => (await c.runShellCommand("id -un")).output.stdout),
    TEST_USER,
  );
});

Deno.test("SshConnector moves 50 MiB up and down with matching sha256 and never leaves a partial file", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const payload = randomBytes(50 * 1024 * 1024);
  const expected = await sha256Hex(payload);
  await connected(connector(sshd), async (c) => {
    await t.step("upload", async () => {
      strictEqual(await c.putFile(payload, dir.join("big.bin"), { mode: "640" }), true);
      strictEqual(await sha256Hex(await Deno.readFile(dir.join("big.bin"))), expected);
      strictEqual((await Deno.stat(dir.join("big.bin"))).mode! & 0o777, 0o640);
    });
    await t.step("download", async () => {
      strictEqual(await c.getFile(dir.join("big.bin"), dir.join("back.bin")), true);
      strictEqual(await sha256Hex(await Deno.readFile(dir.join("back.bin"))), expected);
    });
    await t.step("an interrupted upload leaves the destination untouched", async () => {
      await Deno.writeTextFile(dir.join("keep.txt"), "original");
      let sent = 0;
      const broken = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 4 * 1024 * 1024) return controller.error(new Error("interrupted"));
          sent += 1024 * 1024;
          controller.enqueue(new Uint8Array(1024 * 1024));
        },
      });
      await rejects(c.putFile(broken, dir.join("keep.txt")));
      strictEqual(await Deno.readTextFile(dir.join("keep.txt")), "original");
      const leftovers = [...Deno.readDirSync(dir.path)].filter((e) => e.name.includes(".skiff-"));
      deepStrictEqual(leftovers, []);
    });
  });
});

Deno.test("SshConnector uploads with sudo, and a sudo password never shows in any argv", async (t) => {
  await using sshd = await startSshd({ password: true });
  const sudoers = "/etc/sudoers.d/skiff-test";
  await ensureTestUser(TEST_PASSWORD);
  await using dir = await tempDir();
  try {
    await t.step("NOPASSWD sudo put into a root-only directory", async () => {
      await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
      await Deno.chmod(dir.path, 0o700);
      await connected(connector(sshd), async (c) => {
        await c.putFile(new TextEncoder().encode("root file\n"), dir.join("root.txt"), {
          _sudo: true,
          mode: "600",
        });
      });
      strictEqual(await Deno.readTextFile(dir.join("root.txt")), "root file\n");
      const info = await Deno.stat(dir.join("root.txt"));
      deepStrictEqual([info.uid, info.mode! & 0o777], [0, 0o600]);
      const temps = new TextDecoder().decode(
        (await new Deno.Command("sh", { args: ["-c", "ls -a /tmp | grep -c skiff-put || true"] })
          .output()).stdout,
      ).trim();
      strictEqual(temps, "0");
    });
    await t.step("sudo with a password through askpass", async () => {
      await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
      let seen = "";
      const sleep = `0.2${Math.floor(Math.random() * 1e6)}`;
      const watch = setInterval(() => (seen += psArgs()), 20);
      const out = await connected(connector(sshd), async (c) => {
        const denied = await c.runShellCommand("id -u", { _sudo: true });
        strictEqual(
          denied.error,
          `sudo on @ssh/${TEST_USER}@127.0.0.1:${sshd.port} needs a password: set _sudo_password (secret) or add a NOPASSWD rule`,
        );
        return await c.runShellCommand(`id -u; sleep ${sleep}`, {
          _sudo: true,
          _sudo_password: secret(TEST_PASSWORD),
        });
      });
      clearInterval(watch);
      strictEqual(out.output.stdout, "0");
      assertIncludes(seen, `sleep ${sleep}`, "the command ran while ps watched");
      assertExcludes(seen, TEST_PASSWORD);
    });
  } finally {
    await Deno.remove(sudoers).catch(() => {});
  }
});

Deno.test("SshConnector falls back to a plain channel without SFTP, and rsyncs with the same settings", async (t) => {
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  await t.step("no sftp subsystem", async () => {
    await using sshd = await startSshd({ noSftp: true });
    await connected(connector(sshd), async (c) => {
      await c.putFile(new TextEncoder().encode("via cat\n"), dir.join("nosftp.txt"), {
        mode: "600",
      });
      strictEqual(await Deno.readTextFile(dir.join("nosftp.txt")), "via cat\n");
      strictEqual((await Deno.stat(dir.join("nosftp.txt"))).mode! & 0o777, 0o600);
      await c.getFile(dir.join("nosftp.txt"), dir.join("back.txt"));
      strictEqual(await Deno.readTextFile(dir.join("back.txt")), "via cat\n");
    });
  });
  await t.step("scp asked for explicitly", async () => {
    await using sshd = await startSshd();
    await connected(connector(sshd, { ssh_file_transfer_protocol: "scp" }), async (c) => {
      await c.putFile(new TextEncoder().encode("scp mode\n"), dir.join("scp.txt"));
      strictEqual(await Deno.readTextFile(dir.join("scp.txt")), "scp mode\n");
    });
  });
  await t.step("rsync", async () => {
    await using sshd = await startSshd();
    await Deno.mkdir(dir.join("src/sub"), { recursive: true });
    await Deno.writeTextFile(dir.join("src/sub/f.txt"), "synced");
    await Deno.mkdir(dir.join("dest"), { mode: 0o777 });
    await Deno.chmod(dir.join("dest"), 0o777);
    await connected(connector(sshd), async (c) => {
      await c.checkCanRsync();
      strictEqual(await c.rsync(dir.join("src/"), dir.join("dest/"), ["-r"]), true);
    });
    strictEqual(await Deno.readTextFile(dir.join("dest/sub/f.txt")), "synced");
  });
});

Deno.test("SshConnector explains an ECDSA key that cannot sign under Deno, and logs in with one that can", async (t) => {
  await using dir = await tempDir();
  const { default: ssh2 } = await import("ssh2");
  const { Buffer } = await import("node:buffer");
  const signs = (path: string) => {
    const parsed = ssh2.utils.parseKey(Buffer.from(Deno.readFileSync(path)));
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key instanceof Error) throw key;
    const signature = key.sign(Buffer.from("probe"));
    return !(signature instanceof Error) && key.verify(Buffer.from("probe"), signature) === true;
  };
  const working: string[] = [];
  const broken: string[] = [];
  // About half of the P-256/P-384 keys OpenSSH writes fail to sign under Deno; 40 tries find both.
  for (let i = 0; i < 40 && (working.length === 0 || broken.length === 0); i++) {
    const path = dir.join(`ecdsa${i}`);
    const made = await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ecdsa", "-b", i % 2 ? "384" : "256", "-N", "", "-f", path],
    }).output();
    strictEqual(made.success, true);
    (signs(path) ? working : broken).push(path);
  }
  strictEqual(broken.length > 0 && working.length > 0, true, "40 keys were all alike");
  await using sshd = await startSshd({
    authorize: await Promise.all([broken[0], working[0]].map((k) => Deno.readTextFile(`${k}.pub`))),
  });
  await t.step("a key that cannot sign gets a clear message", async () => {
    const type = (await Deno.readTextFile(`${broken[0]}.pub`)).split(" ")[0];
    const error = await connector(sshd, { ssh_key: broken[0] }).connect().then(
      () => undefined,
      (e: Error) => e,
    );
    strictEqual(error?.name, "ConnectError");
    strictEqual(
      error?.message,
      `Authentication failed for ${TEST_USER}@127.0.0.1:${sshd.port}: tried none (no key, agent or password was usable); ` +
        `${
          broken[0]
        }: this ${type} key cannot sign under Deno; load it into ssh-agent or use an ed25519 key`,
    );
  });
  await t.step("a key that signs logs in", async () => {
    await connected(connector(sshd, { ssh_key: working[0] }), async (c) => {
      strictEqual((await c.runShellCommand("id -un")).output.stdout, TEST_USER);
    });
  });
});
