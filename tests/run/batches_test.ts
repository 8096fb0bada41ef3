import { deepStrictEqual, throws } from "node:assert/strict";
import { batchesOf, parseSerial } from "../../lib/run/batches.ts";

Deno.test("parseSerial() takes a count or a percentage and names what it got otherwise", async (t) => {
  for (
    const [input, expected] of [["1", 1], ["12", 12], [3, 3], ["40%", "40%"], ["100%", "100%"]]
  ) {
    await t.step(String(input), () => deepStrictEqual(parseSerial(input), expected));
  }
  for (const input of ["0", "-1", "1.5", "0%", "101%", "half", ""]) {
    await t.step(`bad ${JSON.stringify(input)}`, () =>
      throws(() => parseSerial(input), {
        name: "InputError",
        message: `--serial: expected a number of hosts or a percentage such as 40%, got "${input}"`,
      }));
  }
});

Deno.test("batchesOf() cuts hosts into batches in order", () => {
  const hosts = ["a", "b", "c", "d", "e"];
  deepStrictEqual(batchesOf(hosts, 1), [["a"], ["b"], ["c"], ["d"], ["e"]]);
  deepStrictEqual(batchesOf(hosts, 2), [["a", "b"], ["c", "d"], ["e"]]);
  deepStrictEqual(batchesOf(hosts, 9), [hosts]);
  deepStrictEqual(batchesOf(hosts, "40%"), [["a", "b"], ["c", "d"], ["e"]]);
  deepStrictEqual(batchesOf(hosts, "10%"), [["a"], ["b"], ["c"], ["d"], ["e"]]);
  deepStrictEqual(batchesOf(hosts, "100%"), [hosts]);
  deepStrictEqual(batchesOf([], 2), []);
});
