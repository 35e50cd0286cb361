import { type FinanceSimulatorControl, startFinanceSimulator } from "../../../simulators/finance/finance.simulator";
import type { RunningSimulator } from "../../../simulators/shared/simulator.server";
import { ConnectorResponseError, ConnectorUnavailableError } from "../../../src/connectors/connector.errors";
import { FinanceClient } from "../../../src/connectors/finance/finance.client";
import type { FiscalClaimSubmission } from "../../../src/connectors/finance/finance.port";
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

const claim = (claimNo: string, amounts: string[]): FiscalClaimSubmission => ({
  claimNo,
  kind: "INTEREST_SUBSIDY",
  items: amounts.map((amount, i) => ({ idNumber: "140502199001010019", reference: `A${i}-2026`, amount })),
});

describe("finance bureau fiscal claims", () => {
  test("receives an interest-subsidy claim and reports it paid, with its payment date", async () => {
    expect(await client.submitFiscalClaim(claim("IS-2026-0001", ["34.60", "10.00"]))).toEqual({
      claimNo: "IS-2026-0001",
      status: "RECEIVED",
    });
    expect(await client.getFiscalClaim("IS-2026-0001")).toEqual({
      claimNo: "IS-2026-0001",
      status: "PAID",
      paidOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(sim.control.fiscalClaims()).toEqual([
      { claimNo: "IS-2026-0001", kind: "INTEREST_SUBSIDY", status: "PAID", itemCount: 2, amount: "44.60" },
    ]);
  });

  test("reports a claim received, unpaid, until the pay delay has passed", async () => {
    sim.control.setPayDelayS(0.3);
    await client.submitFiscalClaim(claim("IS-2026-0002", ["1.00"]));
    expect(await client.getFiscalClaim("IS-2026-0002")).toEqual({
      claimNo: "IS-2026-0002",
      status: "RECEIVED",
      paidOn: null,
    });
    await sleep(350);
    expect((await client.getFiscalClaim("IS-2026-0002")).status).toBe("PAID");
  });

  test("rejects a claim with an item that is not a positive amount in fen", async () => {
    await client.submitFiscalClaim(claim("IS-2026-0003", ["5.00", "0.00"]));
    expect(await client.getFiscalClaim("IS-2026-0003")).toEqual({
      claimNo: "IS-2026-0003",
      status: "REJECTED",
      paidOn: null,
    });
  });

  test("keeps a resubmitted claim as one, and refuses the number reused with other items", async () => {
    await client.submitFiscalClaim(claim("IS-2026-0004", ["3.00"]));
    await client.submitFiscalClaim(claim("IS-2026-0004", ["3.00"]));
    expect(sim.control.fiscalClaims().filter((c) => c.claimNo === "IS-2026-0004")).toHaveLength(1);
    await expect(client.submitFiscalClaim(claim("IS-2026-0004", ["4.00"]))).rejects.toMatchObject({ status: 409 });
  });

  test("answers 404 for a claim it never received, and 400 to a malformed submission", async () => {
    await expect(client.getFiscalClaim("IS-2099-0001")).rejects.toMatchObject({ status: 404 });
    const response = await fetch(`${sim.url}/v1/fiscal-claims`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...claim("IS-2026-0005", ["1.00"]), kind: "BONUS" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "BAD_REQUEST", issues: [{ path: "kind" }] });
  });

  test("fails with ConnectorUnavailableError when finance is down, after retrying", async () => {
    sim.control.setMode("down");
    await expect(client.submitFiscalClaim(claim("IS-2026-0006", ["1.00"]))).rejects.toThrow(ConnectorUnavailableError);
    expect(sim.control.requestCount()).toBe(3);
  });

  test("never trusts an answer that breaks the schema", async () => {
    sim.control.setMode("malformed");
    await expect(client.getFiscalClaim("IS-2026-0001")).rejects.toBeInstanceOf(ConnectorResponseError);
  });
});
