import {
  type NationalSimulatorControl,
  startNationalPlatformSimulator,
} from "../../../simulators/national-platform/national-platform.simulator";
import type { RunningSimulator } from "../../../simulators/shared/simulator.server";
import { ConnectorResponseError, ConnectorUnavailableError } from "../../../src/connectors/connector.errors";
import { NationalPlatformClient } from "../../../src/connectors/national-platform/national-platform.client";
import {
  duplicateReason,
  type NationalTransfer,
} from "../../../src/connectors/national-platform/national-platform.port";
import { fastOptions, RESET_AFTER_MS, sleep, SLOW_MS } from "./fast-connector.options";

const EMPLOYED_IN_SHENZHEN = "140502199001010019";
const BANNED = "140502198503150025";
const FORMER_DEPOSITOR = "140525199207070038";

let sim: RunningSimulator<NationalSimulatorControl>;
let client: NationalPlatformClient;

beforeAll(async () => {
  sim = await startNationalPlatformSimulator({
    slowMs: SLOW_MS,
    seed: {
      depositAccounts: [
        {
          idNumber: EMPLOYED_IN_SHENZHEN,
          centerCode: "440300",
          accountNumber: "SZ-0001",
          kind: "EMPLOYER",
          status: "ACTIVE",
        },
        {
          idNumber: FORMER_DEPOSITOR,
          centerCode: "110000",
          accountNumber: "BJ-0009",
          kind: "EMPLOYER",
          status: "CLOSED",
        },
      ],
      loans: [{ idNumber: EMPLOYED_IN_SHENZHEN, centerCode: "440300", loanNumber: "SZL-1", outstanding: true }],
      fraudBans: [
        { idNumber: BANNED, until: "2028-03-31" },
        { idNumber: FORMER_DEPOSITOR, until: "2025-12-31" },
      ],
    },
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.setMode("up");
  sim.control.resetRequests();
  client = new NationalPlatformClient(fastOptions(sim.url));
});

describe("national platform client", () => {
  test("reports the accounts, loans and fraud ban the platform holds for a person", async () => {
    const check = await client.checkPerson(EMPLOYED_IN_SHENZHEN);
    expect(check).toEqual({
      idNumber: EMPLOYED_IN_SHENZHEN,
      depositAccounts: [{ centerCode: "440300", accountNumber: "SZ-0001", kind: "EMPLOYER", status: "ACTIVE" }],
      loans: [{ centerCode: "440300", loanNumber: "SZL-1", outstanding: true }],
      fraudBanUntil: null,
    });
  });

  test("sends the request id and the hub center code with every call", async () => {
    await client.checkPerson(BANNED, { requestId: "req-42" });
    expect(sim.control.requests()).toEqual([
      { method: "POST", path: "/v1/persons/check", requestId: "req-42", hubCenter: "140500" },
    ]);
  });

  test("sees an account as active once registered and as closed once deregistered", async () => {
    const idNumber = "140581199502200043";
    const account = { idNumber, centerCode: "140500", accountNumber: "JC-0001", kind: "FLEXIBLE" as const };
    await client.registerAccount(account);
    await client.registerAccount(account);
    expect((await client.checkPerson(idNumber)).depositAccounts).toEqual([
      { centerCode: "140500", accountNumber: "JC-0001", kind: "FLEXIBLE", status: "ACTIVE" },
    ]);
    await client.deregisterAccount(account);
    expect((await client.checkPerson(idNumber)).depositAccounts[0]?.status).toBe("CLOSED");
    expect(sim.control.accounts().filter((a) => a.idNumber === idNumber)).toHaveLength(1);
  });

  test("marks a registered loan outstanding until it is settled", async () => {
    const loan = { idNumber: "440305198808080055", centerCode: "140500", loanNumber: "JCL-0001" };
    await client.registerLoan(loan);
    expect((await client.checkPerson(loan.idNumber)).loans).toEqual([
      { centerCode: "140500", loanNumber: "JCL-0001", outstanding: true },
    ]);
    await client.settleLoan(loan);
    expect((await client.checkPerson(loan.idNumber)).loans[0]?.outstanding).toBe(false);
  });

  test("accepts a transfer and answers its replay with the same result, stored once", async () => {
    const transfer = transferOf("1405002611280001", { loanOutstanding: false });
    expect(await client.sendTransfer(transfer)).toEqual({ status: "ACCEPTED" });
    expect(await client.sendTransfer(transfer)).toEqual({ status: "ACCEPTED" });
    expect(sim.control.transfers().filter((t) => t.contactLetterNo === transfer.contactLetterNo)).toHaveLength(1);
  });

  test("rejects a transfer that would carry an outstanding loan away", async () => {
    const result = await client.sendTransfer(transferOf("1405002611280002", { loanOutstanding: true }));
    expect(result).toEqual({ status: "REJECTED", reason: "LOAN_OUTSTANDING" });
  });
});

describe("duplicate detection through the platform", () => {
  test("refuses a person with an active account in another center", async () => {
    expect(duplicateReason(await client.checkPerson(EMPLOYED_IN_SHENZHEN), "2026-11-28")).toBe(
      "ACTIVE_ACCOUNT_ELSEWHERE",
    );
  });

  test("refuses a person under a fraud ban", async () => {
    expect(duplicateReason(await client.checkPerson(BANNED), "2026-11-28")).toBe("FRAUD_BAN");
  });

  test("lets a person with only closed accounts and an expired ban enrol", async () => {
    expect(duplicateReason(await client.checkPerson(FORMER_DEPOSITOR), "2026-11-28")).toBeNull();
  });

  test("sees an account seeded at runtime", async () => {
    const idNumber = "140502198503150025";
    sim.control.addRecord({
      idNumber,
      centerCode: "310000",
      accountNumber: "SH-7",
      kind: "FLEXIBLE",
      status: "ACTIVE",
    });
    sim.control.addFraudBan({ idNumber: EMPLOYED_IN_SHENZHEN, until: "2030-01-01" });
    expect(duplicateReason(await client.checkPerson(idNumber), "2026-11-28")).toBe("ACTIVE_ACCOUNT_ELSEWHERE");
    expect((await client.checkPerson(EMPLOYED_IN_SHENZHEN)).fraudBanUntil).toBe("2030-01-01");
  });
});

describe("national platform faults", () => {
  test("fails with ConnectorUnavailableError when the platform is slower than the timeout", async () => {
    sim.control.setMode("slow");
    const slowClient = new NationalPlatformClient(fastOptions(sim.url, { maxRetries: 0 }));
    await expect(slowClient.checkPerson(BANNED)).rejects.toThrow(/did not answer .* within 1500 ms/);
    await expect(slowClient.checkPerson(BANNED)).rejects.toBeInstanceOf(ConnectorUnavailableError);
  });

  test("retries a platform that is down, then fails with ConnectorUnavailableError", async () => {
    sim.control.setMode("down");
    const error = await client.checkPerson(BANNED).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConnectorUnavailableError);
    expect(error).toMatchObject({ connector: "national-platform", status: 503, code: "CONNECTOR_UNAVAILABLE" });
    expect(sim.control.requestCount()).toBe(3);
  });

  test("succeeds through retries when the platform fails every other request", async () => {
    sim.control.setMode("flaky");
    expect((await client.checkPerson(BANNED)).fraudBanUntil).toBe("2028-03-31");
    await client.registerLoan({ idNumber: BANNED, centerCode: "140500", loanNumber: "JCL-FLAKY" });
    expect(sim.control.requestCount()).toBe(4);
  });

  test("fails with ConnectorResponseError, without retrying, when the answer breaks the schema", async () => {
    sim.control.setMode("malformed");
    await expect(client.checkPerson(BANNED)).rejects.toBeInstanceOf(ConnectorResponseError);
    await expect(client.settleLoan({ idNumber: BANNED, centerCode: "140500", loanNumber: "X" })).rejects.toBeInstanceOf(
      ConnectorResponseError,
    );
    expect(sim.control.requestCount()).toBe(2);
  });

  test("opens the breaker after the threshold and then fails fast without calling the platform", async () => {
    sim.control.setMode("down");
    const noRetry = new NationalPlatformClient(fastOptions(sim.url, { maxRetries: 0 }));
    for (let i = 0; i < 3; i += 1) await expect(noRetry.checkPerson(BANNED)).rejects.toThrow(/HTTP 503/);
    expect(noRetry.health()).toBe("OPEN");
    await expect(noRetry.checkPerson(BANNED)).rejects.toThrow(/circuit breaker is open/);
    expect(sim.control.requestCount()).toBe(3);
  });

  test("half-opens after the reset time and closes again on a successful trial", async () => {
    sim.control.setMode("down");
    for (let i = 0; i < 3; i += 1) await expect(client.checkPerson(BANNED)).rejects.toThrow(ConnectorUnavailableError);
    expect(client.health()).toBe("OPEN");
    await sleep(RESET_AFTER_MS + 50);
    expect(client.health()).toBe("HALF_OPEN");
    sim.control.setMode("up");
    const before = sim.control.requestCount();
    expect((await client.checkPerson(BANNED)).idNumber).toBe(BANNED);
    expect(sim.control.requestCount()).toBe(before + 1);
    expect(client.health()).toBe("CLOSED");
  });

  test("opens the breaker again when the half-open trial fails", async () => {
    sim.control.setMode("down");
    const noRetry = new NationalPlatformClient(fastOptions(sim.url, { maxRetries: 0 }));
    for (let i = 0; i < 3; i += 1) await expect(noRetry.checkPerson(BANNED)).rejects.toThrow(ConnectorUnavailableError);
    await sleep(RESET_AFTER_MS + 50);
    await expect(noRetry.checkPerson(BANNED)).rejects.toThrow(/HTTP 503/);
    expect(noRetry.health()).toBe("OPEN");
    expect(sim.control.requestCount()).toBe(4);
  });
});

function transferOf(contactLetterNo: string, overrides: Partial<NationalTransfer>): NationalTransfer {
  return {
    contactLetterNo,
    fromCenter: "140500",
    toCenter: "440300",
    idNumber: FORMER_DEPOSITOR,
    name: "张三",
    principal: "1234.56",
    interest: "12.34",
    openedMonth: "2024-07",
    paidUpTo: "2026-10",
    lastSixMonthsContinuous: true,
    paidMonths: 28,
    loanCount: 0,
    loanOutstanding: false,
    fraudFlag: false,
    ...overrides,
  };
}
