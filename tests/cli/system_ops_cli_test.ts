/**
 * `server.mount`, `files.download` and the `server.mounts` fact through the
 * real CLI, as a user runs them: `skiff deploy @local --dry`, then for
 * real, then for real again on the converged host. skiff runs inside a
 * private mount namespace (`unshare --mount`, root only), so the tmpfs is
 * mounted there and never on this machine; the fstab line goes to a
 * temporary file (`fstab` option). The download comes from a Deno.serve
 * server on loopback in the test, its URL a secret (`secret(url)`). The
 * deploy reads `facts.server.mounts` after its mount and names a file by
 * what it saw, so the dry run's line shows that the fact is read through
 * the prediction.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { skiffArgs, TEST_RUN_LOCK } from "../helpers/cli.ts";
import { unshareMount } from "../helpers/mount_ns.ts";
import { requireRoot } from "../helpers/require.ts";
import { sha256Hex, tempDir } from "../helpers/temp.ts";

const quote = (arg: string) => `'${arg.replaceAll("'", `'"'"'`)}'`;

Deno.test("skiff deploy: server.mount, server.mounts and files.download dry, real, then converged", async () => {
  requireRoot("mounting in a private mount namespace");
  await using dir = await tempDir();
  const body = new TextEncoder().encode("tool v2\n");
  let hits = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    hits++;
    return new Response(body);
  });
  const url = `http://127.0.0.1:${server.addr.port}/tool`;
  const data = dir.join("data");
  const fstab = dir.join("fstab");
  await Deno.writeTextFile(fstab, "");
  const deploy = dir.join("deploy.ts");
  await Deno.writeTextFile(
    deploy,
    `export default async function ({ ops, facts, secret }) {
  await ops.server.mount(${JSON.stringify(data)}, {
    device: "tmpfs", fstype: "tmpfs", options: "size=1m,nosuid", fstab: ${JSON.stringify(fstab)},
  });
  const seen = (await facts.server.mounts())[${JSON.stringify(data)}];
  // The fact decides the path, so the dry run's line shows what it predicted.
  await ops.files.put({ content: (seen ? seen.options.join(",") : "") + "\\n" }, ${
      JSON.stringify(dir.path)
    } + "/seen-" + (seen ? seen.fstype : "none"));
  await ops.files.download(secret(${JSON.stringify(url)}), ${JSON.stringify(`${data}/tool`)}, {
    sha256: ${JSON.stringify(await sha256Hex(body))}, mode: "755",
  });
}
`,
  );
  const skiff = (...flags: string[]) =>
    [Deno.execPath(), ...skiffArgs(["deploy", "@local", deploy, ...flags])].map(quote).join(" ");
  const script = `${skiff("--dry")}; echo "exit=$?"; echo ----; ${skiff("-y")}; echo "exit=$?"; ` +
    `echo ----; ${skiff("-y")}; echo "exit=$?"; echo ----; ` +
    `stat -c '%a %s' ${quote(`${data}/tool`)}; grep -c -F ${
      quote(` ${data} tmpfs`)
    } /proc/self/mounts`;
  const out = await unshareMount(script, { NO_COLOR: "1", SKIFF_RUN_LOCK: TEST_RUN_LOCK });
  strictEqual(out.code, 0, out.stdout + out.stderr);
  const stdout = `${out.stdout}\n`;
  const [dry, real, again, after] = stdout.split("----\n");
  const lines = (text: string) => text.split("\n").filter((l) => l.startsWith("[@local] "));
  const first = [
    `[@local] server.mount ${data}: CHANGE (mounted tmpfs on ${data}, edited ${fstab})`,
    `[@local] files.put ${dir.path}/seen-tmpfs: CHANGE (created ${dir.path}/seen-tmpfs)`,
    `[@local] files.download ${data}/tool: CHANGE (downloaded *** -> ${data}/tool)`,
  ];
  deepStrictEqual(lines(dry), first.map((l) => l.replace("CHANGE", "would change")));
  strictEqual(dry.includes("exit=0"), true, dry);
  deepStrictEqual(lines(real), first.map((l) => l.replace("CHANGE", "changed")));
  // Converged: no operation line, and the summary counts three unchanged.
  deepStrictEqual(lines(again), []);
  strictEqual(/^@local\s+ok\s+0\s+3\s+0\s+0\s/m.test(again), true, again);
  strictEqual(after, "755 8\n1\n");
  strictEqual(hits, 1);
  // The URL was a secret: never in the output.
  strictEqual(stdout.includes(url), false);
  strictEqual(await Deno.readTextFile(dir.join("seen-tmpfs")), "rw,nosuid,relatime,size=1024k\n");
  strictEqual(
    await Deno.readTextFile(fstab),
    `tmpfs ${data} tmpfs size=1m,nosuid 0 0\n`,
  );
});
