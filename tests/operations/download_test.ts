/**
 * `files.download` against a real HTTP server on loopback (Deno.serve in
 * the test, counting requests), over @local and over @ssh (a real sshd on
 * loopback as the test user): the host fetches with its own curl. Each
 * sequence runs as a dry run (which fetches nothing), then for real, with
 * the same outcomes and descriptions.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import { secret } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import { mountNamespace } from "../helpers/mount_ns.ts";
import { localHarness } from "../helpers/ops.ts";
import { requireRoot } from "../helpers/require.ts";
import { dryThenReal, type PredictTarget, shown } from "../helpers/predict.ts";
import { sshHostData, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { sha256Hex, tempDir } from "../helpers/temp.ts";

const BODY = new TextEncoder().encode("release 1.2.3\n");

/** A server on 127.0.0.1 serving BODY at /release.txt, counting the requests it answers. */
function serve(): { url: string; hits: string[] } & AsyncDisposable {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    return path === "/release.txt"
      ? new Response(BODY)
      : new Response("not here\n", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Runs the download sequence on `target` in `dir`; returns the runs and the requests each made. */
async function sequence(target: PredictTarget, dir: string) {
  await using http = serve();
  const sum = await sha256Hex(BODY);
  const dest = `${dir}/release.txt`;
  const steps = [
    ["files.download", `${http.url}/release.txt`, dest, { sha256: sum, mode: "640" }],
    ["files.download", `${http.url}/release.txt`, dest, { sha256: sum.toUpperCase() }],
    ["files.download", `${http.url}/release.txt`, `${dir}/bad.txt`, { sha256: "0".repeat(64) }],
    ["files.download", `${http.url}/missing`, `${dir}/missing.txt`],
    ["files.download", `${http.url}/release.txt`, `${dir}/plain.txt`],
    ["files.download", `${http.url}/release.txt`, `${dir}/plain.txt`],
  ] as [string, ...unknown[]][];
  const run = await dryThenReal(target, steps);
  return { run, sum, url: http.url, hits: [...http.hits] };
}

function check(
  { run, sum, url, hits }: Awaited<ReturnType<typeof sequence>>,
  dir: string,
): void {
  // The dry run predicts two downloads that fail for real: it cannot fetch to see.
  deepStrictEqual(shown(run.real), [
    `changed: downloaded ${url}/release.txt -> ${dir}/release.txt\n`,
    `no change: ${dir}/release.txt has sha256 ${sum.slice(0, 12)}…\n`,
    "failed",
    "failed",
    `changed: downloaded ${url}/release.txt -> ${dir}/plain.txt\n`,
    `no change: ${dir}/plain.txt exists\n`,
  ]);
  deepStrictEqual(shown(run.dry), [
    shown(run.real)[0],
    shown(run.real)[1],
    `changed: downloaded ${url}/release.txt -> ${dir}/bad.txt\n`,
    `changed: downloaded ${url}/missing -> ${dir}/missing.txt\n`,
    shown(run.real)[4],
    shown(run.real)[5],
  ]);
  strictEqual(
    run.real[2].description.includes(
      `files.download: ${url}/release.txt has sha256 ${sum}, not ${"0".repeat(64)}`,
    ),
    true,
    run.real[2].description,
  );
  // curl says `error: 404`; wget (quiet, so the URL is never printed) only its exit code 8.
  strictEqual(
    /: 404|such as 404 \(wget/.test(run.real[3].description),
    true,
    run.real[3].description,
  );
  // Only the real run fetched, once per download it made.
  deepStrictEqual(hits, ["/release.txt", "/release.txt", "/missing", "/release.txt"]);
}

async function listing(dir: string): Promise<string> {
  const out = await runProcess([
    "sh",
    "-c",
    'cd "$1" && stat -c "%n %a %U %s" -- * | sort',
    "sh",
    dir,
  ]);
  return out.output.stdout;
}

Deno.test("files.download on @local fetches once, checks the sha256 before the rename, leaves nothing on a failure; its dry run predicts it", async () => {
  await using dir = await tempDir();
  const host = { name: "@local", data: {}, groups: [] };
  const result = await sequence(
    { host, connector: new LocalConnector(host, { runProcess }) },
    dir.path,
  );
  check(result, dir.path);
  strictEqual(await listing(dir.path), "plain.txt 644 root 14\nrelease.txt 640 root 14");
  strictEqual(await Deno.readTextFile(dir.join("release.txt")), "release 1.2.3\n");
});

Deno.test("files.download over @ssh fetches on the host as the connecting user", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const host = { name: `@ssh/${TEST_USER}@127.0.0.1`, data: sshHostData(sshd), groups: [] };
  const connector = new SshConnector(host, { runProcess });
  await connector.connect();
  try {
    const result = await sequence({ host, connector }, dir.path);
    check(result, dir.path);
    strictEqual(
      await listing(dir.path),
      `plain.txt 644 ${TEST_USER} 14\nrelease.txt 640 ${TEST_USER} 14`,
    );
  } finally {
    await connector.disconnect();
  }
});

Deno.test("files.download refuses bad arguments with an input error naming the argument", async () => {
  const h = localHarness();
  const cases: [unknown[], string][] = [
    [
      ["file:///etc/passwd", "/tmp/x"],
      `files.download url: expected an http, https or ftp URL, got "file:///etc/passwd"`,
    ],
    [
      ["-K/etc/x", "/tmp/x"],
      `files.download url: expected an http, https or ftp URL, got "-K/etc/x"`,
    ],
    [["http://h/x", "-o"], `files.download dest: a path must not start with "-", got "-o"`],
    [
      ["http://h/x", "/tmp/x", { sha256: "abc" }],
      `files.download sha256: expected 64 hexadecimal digits, got "abc"`,
    ],
    [
      ["http://h/x", "/tmp/x", { mode: "999" }],
      `files.download mode: expected an octal mode such as "644", got "999"`,
    ],
  ];
  for (const [args, message] of cases) {
    await rejects(h.op("files.download", ...args), { name: "InputError", message });
  }
});

Deno.test("files.download refuses a symbolic link at dest and leaves its target alone", async () => {
  await using dir = await tempDir();
  await using http = serve();
  await Deno.writeTextFile(dir.join("target"), "keep\n");
  await Deno.symlink(dir.join("target"), dir.join("link"));
  const h = localHarness();
  await rejects(h.op("files.download", `${http.url}/release.txt`, dir.join("link")), {
    message: new RegExp(`${dir.join("link")}.*symbolic link`),
  });
  strictEqual(await Deno.readTextFile(dir.join("target")), "keep\n");
  deepStrictEqual(http.hits, []);
});

Deno.test("files.download of a secret URL: *** in the report and the commands, and in no process's argv while it downloads", async () => {
  await using dir = await tempDir();
  const token = "s3cr3t-t0ken-4711";
  await Deno.writeTextFile(dir.join("needle"), token);
  const seen: { query: string; argv: string }[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      // While curl waits for this answer, look for the token in every process's command line.
      const grep = await runProcess([
        "sh",
        "-c",
        'grep -l -F -f "$1" /proc/[0-9]*/cmdline 2>/dev/null || true',
        "sh",
        dir.join("needle"),
      ]);
      seen.push({ query: new URL(req.url).search, argv: grep.output.stdout });
      return new Response(BODY);
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/release.txt?token=${token}`;
  const h = localHarness();
  const result = await h.op("files.download", secret(url), dir.join("release.txt"), {
    sha256: await sha256Hex(BODY),
  });
  strictEqual(result.description, `downloaded *** -> ${dir.join("release.txt")}`);
  deepStrictEqual(seen, [{ query: `?token=${token}`, argv: "" }]);
  strictEqual(JSON.stringify(h.events).includes(token), false);
  strictEqual(JSON.stringify(result).includes(token), false);
  strictEqual(await Deno.readTextFile(dir.join("release.txt")), "release 1.2.3\n");
});

Deno.test("files.download with wget where there is no curl (curl hidden in a private mount namespace)", async () => {
  requireRoot("mounting in a private mount namespace");
  await using ns = await mountNamespace();
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join(".no-curl"), "");
  await ns.sh(`mount --bind ${dir.join(".no-curl")} /usr/bin/curl && ! command -v curl`);
  const result = await sequence(ns.target, dir.path);
  check(result, dir.path);
  strictEqual(await listing(dir.path), "plain.txt 644 root 14\nrelease.txt 640 root 14");
});
