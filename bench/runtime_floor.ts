/**
 * The memory floor of skiff's runtime: a Deno process with the binary's
 * runtime flags that loads ssh2, starts one Worker (as the deploy sandbox
 * does) and, for every host at once, connects, runs one command and uploads
 * the payload over SFTP. No skiff code at all: what Deno, its Node
 * compatibility layer, ssh2 and a worker isolate cost on their own, to read
 * skiff's peak memory against.
 *
 * Usage (the deploy bench runs it): runtime_floor.ts CONFIG.json
 * where CONFIG is {"ports": [..], "key": PATH, "user": NAME, "payload": PATH, "dir": PATH}.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Client as SshClient } from "ssh2";

interface FloorConfig {
  ports: number[];
  key: string;
  user: string;
  payload: string;
  dir: string;
}

const config: FloorConfig = JSON.parse(await Deno.readTextFile(Deno.args[0]));
const { Client } = (await import("ssh2")).default as unknown as { Client: typeof SshClient };
const worker = new Worker(
  `data:text/javascript,${encodeURIComponent("self.onmessage = (e) => self.postMessage(e.data);")}`,
  { type: "module" },
);
await new Promise((resolve) => {
  worker.onmessage = resolve;
  worker.postMessage("ready");
});
const key = await Deno.readTextFile(config.key);
const payload = Buffer.from(await Deno.readFile(config.payload));

async function one(port: number, index: number): Promise<void> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.on("ready", () => resolve()).on("error", reject).connect({
      host: "127.0.0.1",
      port,
      username: config.user,
      privateKey: key,
      readyTimeout: 20_000,
      algorithms: { compress: ["none"] },
    });
  });
  try {
    await new Promise<void>((resolve, reject) =>
      client.exec("uname -n", (error, stream) => {
        if (error) return reject(error);
        stream.on("close", () => resolve()).resume();
        stream.stderr.resume();
      })
    );
    await new Promise<void>((resolve, reject) =>
      client.sftp((error, sftp) => {
        if (error) return reject(error);
        // 64 KiB at a time, waiting for drain: as little buffered as ssh2 allows.
        const out = sftp.createWriteStream(`${config.dir}/runtime-floor-h${index}.bin`);
        out.on("close", () => resolve()).on("error", reject);
        let offset = 0;
        const pump = () => {
          while (offset < payload.length) {
            const chunk = payload.subarray(offset, offset + 65536);
            offset += chunk.length;
            if (!out.write(chunk)) return void out.once("drain", pump);
          }
          out.end();
        };
        pump();
      })
    );
  } finally {
    client.end();
  }
}

await Promise.all(config.ports.map(one));
worker.terminate();
