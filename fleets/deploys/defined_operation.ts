/**
 * A deploy that defines its own operation (pyinfra's `@operation`):
 * `app.release(dir, version)` writes `dir/RELEASE` unless it already holds
 * the version. The plan runs in the deploy's sandbox and only reads facts;
 * skiff runs the commands it returns, so `--dry`, `--diff`, `_sudo`, `_if`,
 * retries and the report work as for a built-in operation.
 */
import type { DeployContext } from "../../mod.ts";

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export default async function ({ host, defineOperation }: DeployContext) {
  const release = defineOperation(
    "app.release",
    async ({ facts, sh }, dir: string, version: string) => {
      const file = `${dir}/RELEASE`;
      if ((await facts.files.sha256(file)) === (await sha256(`${version}\n`))) {
        return { changed: false, description: `${version} is current` };
      }
      return {
        commands: [
          sh`mkdir -p ${dir}`,
          sh`printf '%s\n' ${version} > ${file}.tmp`,
          sh`mv ${file}.tmp ${file}`,
        ],
        description: `release ${version}`,
        diff: `+${version}`,
        // What a dry run may assume changed: only this directory, not the whole host.
        effect: { paths: [dir] },
      };
    },
  );
  const root = String(host.data.demo_root ?? "/tmp/skiff-demo");
  await release(root, String(host.data.version ?? "1.0.0"));
}
