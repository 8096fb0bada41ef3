import { deepStrictEqual, throws } from "node:assert/strict";
import { parseSshTarget } from "../../../connectors/ssh/target.ts";

Deno.test("parseSshTarget() splits [user@]host[:port] and [v6]:port", () => {
  const table: [string, ReturnType<typeof parseSshTarget>][] = [
    ["web1", { host: "web1" }],
    ["deploy@web1", { host: "web1", user: "deploy" }],
    ["web1:2222", { host: "web1", port: 2222 }],
    ["me@corp@web1:22", { host: "web1", user: "me@corp", port: 22 }],
    ["[fd00::5]:2200", { host: "fd00::5", port: 2200 }],
    ["[fd00::5]", { host: "fd00::5" }],
    ["fd00::5", { host: "fd00::5" }],
  ];
  for (const [target, expected] of table) deepStrictEqual(parseSshTarget(target), expected, target);
});

Deno.test("parseSshTarget() rejects an empty host and ports outside 1-65535", () => {
  for (const target of ["", "deploy@", "web1:0", "web1:65536"]) {
    throws(() => parseSshTarget(target), {
      name: "InputError",
      message: `Bad ssh target "${target}": expected [user@]host[:port]`,
    });
  }
});
