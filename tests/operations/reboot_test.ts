import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { BaseConnector, type CommandResult, type NameData } from "../../connectors/base.ts";
import { ConnectError } from "../../lib/core/errors.ts";
import { waitForReboot } from "../../lib/operations/reboot.ts";
import { CommandOutput } from "../../lib/core/output.ts";
import { recordedHarness } from "../helpers/recorded_facts.ts";

/**
 * A fake host that reboots: connect fails `failures` times, then commands
 * report `bootIds` in turn. A real reboot is impossible on this machine.
 */
class FakeRebootingConnector extends BaseConnector {
  static override connectorName = "fakereboot";
  static *makeNamesData(): Iterable<NameData> {}
  log: string[] = [];
  #failures: number;
  #bootIds: string[];
  constructor(failures: number, bootIds: string[]) {
    super({ name: "web1", data: {}, groups: [] }, {
      runProcess: () => Promise.reject(new Error("no processes")),
    });
    this.#failures = failures;
    this.#bootIds = bootIds;
  }
  override connect(): Promise<void> {
    if (this.#failures-- > 0) {
      this.log.push("connect failed");
      return Promise.reject(new ConnectError("Connection refused"));
    }
    this.log.push("connected");
    return Promise.resolve();
  }
  override disconnect(): Promise<void> {
    this.log.push("disconnected");
    return Promise.resolve();
  }
  /** The part of a host session that waitForReboot uses. */
  run(): Promise<CommandResult> {
    return this.runShellCommand();
  }
  override runShellCommand(): Promise<CommandResult> {
    const line = this.#bootIds.shift() ?? "same";
    return Promise.resolve({
      success: true,
      exitCode: 0,
      output: new CommandOutput([{ stream: "stdout", line }]),
    });
  }
  override putFile(): Promise<boolean> {
    return Promise.resolve(true);
  }
  override getFile(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

Deno.test("waitForReboot() reconnects until the host answers with a new boot id", async (t) => {
  const slept: number[] = [];
  const sleep = (seconds: number) => {
    slept.push(seconds);
    return Promise.resolve();
  };
  await t.step("connect fails three times, then the host is back", async () => {
    const connector = new FakeRebootingConnector(3, ["new"]);
    const attempts = await waitForReboot(connector, "web1", {
      bootId: "old",
      timeoutSeconds: 60,
      intervalSeconds: 5,
      sleep,
    });
    strictEqual(attempts, 4);
    deepStrictEqual(connector.log, [
      "disconnected",
      "connect failed",
      "connect failed",
      "connect failed",
      "connected",
    ]);
    deepStrictEqual(slept, [5, 5, 5, 5]);
  });
  await t.step("a host that has not gone down yet is not taken for rebooted", async () => {
    const connector = new FakeRebootingConnector(0, ["old", "new"]);
    strictEqual(
      await waitForReboot(connector, "web1", {
        bootId: "old",
        timeoutSeconds: 60,
        intervalSeconds: 1,
        sleep,
      }),
      2,
    );
    deepStrictEqual(connector.log, ["disconnected", "connected", "disconnected", "connected"]);
  });
  await t.step("gives up after the timeout with the last reason", async () => {
    const connector = new FakeRebootingConnector(100, []);
    await rejects(
      waitForReboot(connector, "web1", {
        bootId: "old",
        timeoutSeconds: 10,
        intervalSeconds: 5,
        sleep,
      }),
      {
        name: "OperationError",
        message:
          "server.reboot: web1 did not come back within 10 s (connect failed: Connection refused)",
      },
    );
  });
});

Deno.test("server.reboot dry run changes nothing and runs nothing", async () => {
  const h = recordedHarness([]);
  const result = await h.dry("server.reboot", { waitSeconds: 60 });
  deepStrictEqual([result.changed, result.description, h.commands()], [true, "rebooted web1", []]);
});
