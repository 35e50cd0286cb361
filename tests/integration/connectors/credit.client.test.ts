import { type CreditSimulatorControl, startCreditSimulator } from "../../../simulators/credit/credit.simulator";
import type { RunningSimulator } from "../../../simulators/shared/simulator.server";
import { ConnectorResponseError, ConnectorUnavailableError } from "../../../src/connectors/connector.errors";
import { CreditClient } from "../../../src/connectors/credit/credit.client";
import { fastOptions, SLOW_MS } from "./fast-connector.options";

const DISHONEST = "140502198503150025";
const LATE_PAYER = "140525199207070038";
const UNLISTED = "140581199502200043";

let sim: RunningSimulator<CreditSimulatorControl>;
let client: CreditClient;

beforeAll(async () => {
  sim = await startCreditSimulator({
    slowMs: SLOW_MS,
    seed: { reports: [{ idNumber: DISHONEST, level: "SERIOUS", dishonestList: true }] },
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.setMode("up");
  sim.control.resetRequests();
  client = new CreditClient(fastOptions(sim.url));
});

describe("credit reference client", () => {
  test("reports the level and the dishonest-list flag of a listed person", async () => {
    const report = await client.getReport(DISHONEST, { requestId: "req-7" });
    expect(report).toMatchObject({ idNumber: DISHONEST, level: "SERIOUS", dishonestList: true });
    expect(Number.isNaN(Date.parse(report.reportedAt))).toBe(false);
    expect(sim.control.requests()[0]).toMatchObject({ requestId: "req-7", hubCenter: "140500" });
  });

  test("reports an unlisted person as clean", async () => {
    expect(await client.getReport(UNLISTED)).toMatchObject({ level: "CLEAN", dishonestList: false });
  });

  test("sees a report changed at runtime", async () => {
    sim.control.setReport({ idNumber: LATE_PAYER, level: "MINOR_OVERDUE", dishonestList: false });
    expect((await client.getReport(LATE_PAYER)).level).toBe("MINOR_OVERDUE");
  });

  test("fails with ConnectorUnavailableError when the credit center is slower than the timeout", async () => {
    sim.control.setMode("slow");
    await expect(new CreditClient(fastOptions(sim.url, { maxRetries: 0 })).getReport(UNLISTED)).rejects.toThrow(
      ConnectorUnavailableError,
    );
  });

  test("retries a credit center that is down, then fails with ConnectorUnavailableError", async () => {
    sim.control.setMode("down");
    await expect(client.getReport(UNLISTED)).rejects.toThrow(ConnectorUnavailableError);
    expect(sim.control.requestCount()).toBe(3);
  });

  test("succeeds through retries when the credit center fails every other request", async () => {
    sim.control.setMode("flaky");
    expect((await client.getReport(DISHONEST)).dishonestList).toBe(true);
    expect(sim.control.requestCount()).toBe(2);
  });

  test("fails with ConnectorResponseError when the answer breaks the schema", async () => {
    sim.control.setMode("malformed");
    await expect(client.getReport(UNLISTED)).rejects.toBeInstanceOf(ConnectorResponseError);
  });

  test("opens its breaker after repeated failures and fails fast", async () => {
    sim.control.setMode("malformed");
    for (let i = 0; i < 3; i += 1) await expect(client.getReport(UNLISTED)).rejects.toThrow(ConnectorResponseError);
    expect(client.health()).toBe("OPEN");
    await expect(client.getReport(UNLISTED)).rejects.toThrow(/circuit breaker is open/);
    expect(sim.control.requestCount()).toBe(3);
  });
});
