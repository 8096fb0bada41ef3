/**
 * A real OpenSSH server for tests: its own host key, config, authorized keys
 * and an unprivileged test user with `/bin/sh`, on a free 127.0.0.1 port,
 * stopped by PID. A missing sshd is a failure, never a skip.
 *
 * @module
 */

/** The unprivileged user the tests log in as. */
export const TEST_USER = "skiff-test";
/** Its password (set only when a test asks for password auth). */
export const TEST_PASSWORD = "skiff-test-pw-7f3a";

/**
 * The sftp-server binary: where Debian puts it, or where the system's sshd
 * config names it. A test that asks for SFTP fails when there is none, rather
 * than silently testing without it.
 */
export async function sftpServer(): Promise<string> {
  const candidates = [
    "/usr/lib/openssh/sftp-server",
    "/usr/libexec/openssh/sftp-server",
    "/usr/libexec/sftp-server",
  ];
  const config = await Deno.readTextFile("/etc/ssh/sshd_config").catch(() => "");
  const named = /^\s*Subsystem\s+sftp\s+(\S+)/m.exec(config)?.[1];
  for (const path of named ? [named, ...candidates] : candidates) {
    if (await Deno.stat(path).then((info) => info.isFile, () => false)) return path;
  }
  throw new Error(
    `No sftp-server found (looked in ${candidates.join(", ")}): install openssh-server`,
  );
}

/**
 * Host data that reaches `sshd` as the test user with its key and
 * known_hosts only: no agent, no other keys, no `~/.ssh/config`.
 */
export function sshHostData(sshd: TestSshd): Record<string, unknown> {
  return {
    ssh_hostname: "127.0.0.1",
    ssh_port: sshd.port,
    ssh_user: TEST_USER,
    ssh_key: sshd.clientKey,
    ssh_known_hosts_file: sshd.knownHosts,
    ssh_allow_agent: false,
    ssh_look_for_keys: false,
    ssh_config_file: "/dev/null",
  };
}

/** A running test sshd. */
export interface TestSshd extends AsyncDisposable {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** Its PID. */
  readonly pid: number;
  /** Its directory (keys, config, known_hosts). */
  readonly dir: string;
  /** A client private key (ed25519, no passphrase) that it accepts. */
  readonly clientKey: string;
  /** A known_hosts file holding its host key as `[127.0.0.1]:PORT`. */
  readonly knownHosts: string;
  /** The host key line (`ssh-ed25519 AAAA…`). */
  readonly hostKey: string;
  /** Stops it (SIGKILL). */
  kill(): Promise<void>;
  /** Starts it again (stopping it first if it runs): same port, keys and config. */
  restart(): Promise<void>;
  /** What it wrote to stderr so far. */
  log(): string;
}

async function run(argv: string[], input?: string): Promise<string> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`${argv.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Makes sure the test user exists (and has `password` when given). */
export async function ensureTestUser(password?: string): Promise<void> {
  const exists = await new Deno.Command("id", { args: [TEST_USER], stdout: "null", stderr: "null" })
    .output();
  if (!exists.success) await run(["useradd", "-m", "-s", "/bin/sh", TEST_USER]);
  // A locked account ("!" in /etc/shadow) cannot log in when sshd runs without PAM.
  if (password !== undefined) await run(["chpasswd"], `${TEST_USER}:${password}\n`);
  else {
    const shadow = await Deno.readTextFile("/etc/shadow");
    const entry = shadow.split("\n").find((line) => line.startsWith(`${TEST_USER}:`));
    if (entry?.split(":")[1].startsWith("!")) await run(["usermod", "-p", "*", TEST_USER]);
  }
}

/** Generates a key pair; returns the private key path. */
export async function generateKey(
  path: string,
  type = "ed25519",
  passphrase = "",
): Promise<string> {
  const args = ["ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", "skiff-test", "-f", path];
  if (type === "rsa") args.push("-b", "2048");
  await run(args);
  return path;
}

/** Options for {@linkcode startSshd}. */
export interface SshdOptions {
  /** Addresses to listen on, all inside 127.0.0.0/8 (default 127.0.0.1). */
  listen?: string[];
  /** Allow password authentication (sets the test user's password). */
  password?: boolean;
  /** Extra public keys to authorize. */
  authorize?: string[];
  /** Extra sshd_config lines. */
  extraConfig?: string;
  /** Listen on this port instead of a free one. */
  port?: number;
  /** Leave out the sftp subsystem. */
  noSftp?: boolean;
  /** sshd's LogLevel (default ERROR; VERBOSE logs each session started). */
  logLevel?: string;
  /** sshd's MaxSessions, channels open at once per connection (default 64; OpenSSH's own is 10). */
  maxSessions?: number;
}

/** Runs sshd with `config` until it accepts connections on `port`; its stderr goes to `log`. */
async function launchSshd(
  config: string,
  port: number,
  log: (text: string) => void,
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("/usr/sbin/sshd", {
    args: ["-D", "-e", "-f", config],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let seen = "";
  void (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      seen += text;
      log(text);
    }
  })();
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return child;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`sshd did not start on port ${port}: ${seen}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Starts a real sshd for the test user; dispose it to stop it. */
export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  for (const path of ["/usr/sbin/sshd", "/usr/bin/ssh-keygen"]) {
    try {
      await Deno.stat(path);
    } catch {
      throw new Error(
        `${path} is missing: install openssh-server (apt-get install -y openssh-server)`,
      );
    }
  }
  await ensureTestUser(options.password ? TEST_PASSWORD : undefined);
  await Deno.mkdir("/run/sshd", { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "skiff-sshd-" });
  await Deno.chmod(dir, 0o755);
  const hostKeyPath = await generateKey(`${dir}/host_ed25519`);
  const clientKey = await generateKey(`${dir}/client_ed25519`);
  const authorized = [await Deno.readTextFile(`${clientKey}.pub`), ...(options.authorize ?? [])]
    .join("\n");
  await Deno.writeTextFile(`${dir}/authorized_keys`, authorized + "\n");
  await Deno.chmod(`${dir}/authorized_keys`, 0o644);
  const port = options.port ?? freePort();
  const sftp = options.noSftp ? undefined : await sftpServer();
  const config = [
    `Port ${port}`,
    ...(options.listen ?? ["127.0.0.1"]).map((address) => `ListenAddress ${address}`),
    `HostKey ${hostKeyPath}`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    "UsePAM no",
    "StrictModes no",
    `PasswordAuthentication ${options.password ? "yes" : "no"}`,
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "PermitRootLogin no",
    `AllowUsers ${TEST_USER}`,
    `MaxSessions ${options.maxSessions ?? 64}`,
    "MaxStartups 200",
    `LogLevel ${options.logLevel ?? "ERROR"}`,
    ...(sftp ? [`Subsystem sftp ${sftp}`] : []),
    options.extraConfig ?? "",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/sshd_config`, config + "\n");
  let log = "";
  let child = await launchSshd(`${dir}/sshd_config`, port, (text) => log += text);
  const hostKey = (await Deno.readTextFile(`${hostKeyPath}.pub`)).trim().split(" ").slice(0, 2)
    .join(" ");
  const knownHosts = `${dir}/known_hosts`;
  await Deno.writeTextFile(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
  let stopped = false;
  const kill = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
  };
  return {
    port,
    get pid() {
      return child.pid;
    },
    dir,
    clientKey,
    knownHosts,
    hostKey,
    kill,
    restart: async () => {
      await kill();
      child = await launchSshd(`${dir}/sshd_config`, port, (text) => log += text);
      stopped = false;
    },
    log: () => log,
    [Symbol.asyncDispose]: async () => {
      await kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
