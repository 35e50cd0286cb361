import { type FinanceSimulatorControl, startFinanceSimulator } from "../../../simulators/finance/finance.simulator";
import type { RunningSimulator } from "../../../simulators/shared/simulator.server";
import { ConnectorResponseError, ConnectorUnavailableError } from "../../../src/connectors/connector.errors";
import { FinanceClient } from "../../../src/connectors/finance/finance.client";
import type { SubsidyClaim } from "../../../src/connectors/finance/finance.port";
import { fastOptions, sleep, SLOW_MS } from "./fast-connector.options";

let sim: RunningSimulator<FinanceSimulatorControl>;
let client: FinanceClient;

beforeAll(async () => {
  sim = await startFinanceSimulator({ payDelayS: 0, slowMs: SLOW_MS });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.setMode("up");
  sim.control.setPayDelayS(0);
  sim.control.resetRequests();
  client = new FinanceClient(fastOptions(sim.url));
});

const claimOf = (claimNo: string, amount: string): SubsidyClaim => ({
  claimNo,
  idNumber: "140502199001010019",
  period: "2026-11",
  amount,
  graduationDate: "2024-06-30",
  education: "BACHELOR",
});

describe("finance bureau client", () => {
  test("pays every valid claim of a batch at once when the pay delay is zero", async () => {
    const batchNo = "GS-202611-0001";
    expect(await client.submitBatch({ batchNo, claims: [claimOf("C1", "100.00"), claimOf("C2", "200.00")] })).toEqual({
      batchNo,
      status: "RECEIVED",
    });
    const batch = await client.getBatch(batchNo);
    expect(batch.status).toBe("PAID");
    expect(batch.results).toEqual([
      { claimNo: "C1", status: "PAID", reason: null, paidOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
      { claimNo: "C2", status: "PAID", reason: null, paidOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    ]);
  });

  test("rejects claims outside (0, 200.00] and reports the batch as partially paid", async () => {
    const batchNo = "GS-202611-0002";
    await client.submitBatch({
      batchNo,
      claims: [claimOf("C1", "150.50"), claimOf("C2", "200.01"), claimOf("C3", "0.00"), claimOf("C4", "50.5")],
    });
    const batch = await client.getBatch(batchNo);
    expect(batch.status).toBe("PARTIALLY_PAID");
    expect(batch.results.map((r) => [r.claimNo, r.status, r.reason])).toEqual([
      ["C1", "PAID", null],
      ["C2", "REJECTED", "AMOUNT_OUT_OF_RANGE"],
      ["C3", "REJECTED", "AMOUNT_OUT_OF_RANGE"],
      ["C4", "REJECTED", "AMOUNT_NOT_TWO_DECIMALS"],
    ]);
  });

  test("reports a batch whose claims are all invalid as rejected", async () => {
    await client.submitBatch({ batchNo: "GS-202611-0003", claims: [claimOf("C1", "300.00")] });
    expect((await client.getBatch("GS-202611-0003")).status).toBe("REJECTED");
  });

  test("reports a batch as received, without results, until the pay delay has passed", async () => {
    sim.control.setPayDelayS(0.3);
    await client.submitBatch({ batchNo: "GS-202611-0004", claims: [claimOf("C1", "80.00")] });
    expect(await client.getBatch("GS-202611-0004")).toEqual({
      batchNo: "GS-202611-0004",
      status: "RECEIVED",
      results: [],
    });
    await sleep(350);
    expect((await client.getBatch("GS-202611-0004")).status).toBe("PAID");
  });

  test("keeps a resubmitted batch as one batch", async () => {
    const batch = { batchNo: "GS-202611-0005", claims: [claimOf("C1", "60.00")] };
    await client.submitBatch(batch);
    await client.submitBatch(batch);
    expect(sim.control.batches().filter((b) => b.batchNo === batch.batchNo)).toEqual([
      { batchNo: batch.batchNo, status: "PAID", claimCount: 1 },
    ]);
  });

  test("refuses a batch number reused with other claims", async () => {
    await client.submitBatch({ batchNo: "GS-202611-0006", claims: [claimOf("C1", "60.00")] });
    const error = await client
      .submitBatch({ batchNo: "GS-202611-0006", claims: [claimOf("C1", "70.00")] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorUnavailableError);
    expect(error).toMatchObject({ status: 409 });
  });

  test("answers 404 for a batch it never received", async () => {
    await expect(client.getBatch("GS-209901-0001")).rejects.toMatchObject({ status: 404 });
    expect(sim.control.requestCount()).toBe(1);
  });

  test("answers 400 with a JSON error to a malformed submission", async () => {
    const response = await fetch(`${sim.url}/v1/graduate-subsidy/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ batchNo: "GS-202611-0007", claims: [{ ...claimOf("C1", "1.00"), amount: 1 }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "BAD_REQUEST", issues: [{ path: "claims.0.amount" }] });
  });
});

describe("finance bureau faults", () => {
  const batch = { batchNo: "GS-202611-0100", claims: [claimOf("C1", "10.00")] };

  test("fails with ConnectorUnavailableError when the bureau is slower than the timeout", async () => {
    sim.control.setMode("slow");
    await expect(new FinanceClient(fastOptions(sim.url, { maxRetries: 0 })).submitBatch(batch)).rejects.toThrow(
      ConnectorUnavailableError,
    );
  });

  test("retries a bureau that is down, then fails with ConnectorUnavailableError", async () => {
    sim.control.setMode("down");
    await expect(client.getBatch(batch.batchNo)).rejects.toThrow(ConnectorUnavailableError);
    expect(sim.control.requestCount()).toBe(3);
  });

  test("submits through retries when the bureau fails every other request", async () => {
    sim.control.setMode("flaky");
    expect((await client.submitBatch(batch)).status).toBe("RECEIVED");
    expect((await client.getBatch(batch.batchNo)).status).toBe("PAID");
    expect(sim.control.requestCount()).toBe(4);
  });

  test("fails with ConnectorResponseError when the answer breaks the schema", async () => {
    sim.control.setMode("malformed");
    await expect(client.getBatch(batch.batchNo)).rejects.toBeInstanceOf(ConnectorResponseError);
  });
});
