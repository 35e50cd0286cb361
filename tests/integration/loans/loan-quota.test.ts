// loanQuota over HTTP with hand-computed quotas (defaults: multiple 25, duration 6/12/24/36 → 0.6/0.8/0.9/1.0,
// stability 100 % / ≥ 75 % / else → 1.0 / 0.9 / 0.8, credit minor overdue 0.8, caps 1,100,000, 60 % of income,
// 80 % of the price, term ≤ 30 years ending before 68 (men) / 63 (women), rounded down to 1,000).
import { makeIdNumber } from "../../../src/domain/accounts/id-number";
import { monthRange } from "../../../src/domain/calendar/calendar";
import { Money } from "../../../src/domain/money/money";
import { loanQuotaOf } from "../../../src/services/loans/loan-quota";
import { PolicyParameterService } from "../../../src/services/policy/policy-parameters.service";
import { enrolWorker, lastExchangeRecordFor, payMonthsOnDay, type Worker } from "../../factories/agency-exchange";
import { key } from "../../factories/workers";
import { type AsOptions, errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const LOAN_QUOTA = `query Quota($input: LoanQuotaInput!) {
  loanQuota(input: $input) { eligible quota reasons factors { name value explanation } }
}`;
const SET_PARAMETER = `mutation Set($input: SetPolicyParameterInput!) {
  setPolicyParameter(input: $input) { userErrors { code field message } }
}`;

interface QuotaView {
  eligible: boolean;
  quota: string;
  reasons: string[];
  factors: { name: string; value: string; explanation: string }[];
}

let t: TestHub;
/** A man born 1990-05-15: 1,000.00 a month for 2025-07 .. 2026-10, paid on the 10th. */
let man: Worker;
/** A woman born 1975-03-10 (51 years 8 months on 2026-12-01): 1,000.00 a month for 2026-05 .. 2026-10. */
let woman: Worker;

const rich = { monthlyIncome: "20000.00", housePrice: "2000000.00", termYears: 30 };

async function quota(input: Record<string, unknown>, options?: AsOptions) {
  return t.gql<{ loanQuota: QuotaView }>(LOAN_QUOTA, { input }, options);
}

async function quotaOf(worker: Worker, asOf: string, more: Record<string, unknown> = rich): Promise<QuotaView> {
  const res = await quota({ accountNumber: worker.accountNumber, asOf, ...rich, ...more });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.loanQuota;
}

const values = (q: QuotaView) => Object.fromEntries(q.factors.map((f) => [f.name, f.value]));

beforeAll(async () => {
  t = await startTestHub();
  man = await enrolWorker(t, { idNumber: makeIdNumber("140502", "1990-05-15", 13), enrolledOn: "2025-07-01" });
  await payMonthsOnDay(t, man.accountNumber, monthRange("2025-07", "2026-10"), "1000.00");
  woman = await enrolWorker(t, { idNumber: makeIdNumber("140502", "1975-03-10", 24), enrolledOn: "2026-05-01" });
  await payMonthsOnDay(t, woman.accountNumber, monthRange("2026-05", "2026-10"), "1000.00");
}, 180_000); // 24 requests on 2 shared cores
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("loanQuota", () => {
  it("lends 25 × the balance times the duration and stability factors", async () => {
    // 2026-12-01: balance 16 × 1,000 = 16,000.00; base 400,000.00; 16 paid months → 0.8;
    // last 12 months 2025-12 .. 2026-11: 11 paid (2026-11 is not) → 0.9; clean → 1.0
    // 400,000 × 0.8 × 0.9 = 288,000.00; caps 1,100,000 / 2,997,454.32 (12,000 a month, 360 months) / 1,600,000
    const q = await quotaOf(man, "2026-12-01");
    expect(q).toMatchObject({ eligible: true, quota: "288000.00", reasons: [] });
    expect(q.factors.map((f) => [f.name, f.value])).toEqual([
      ["BASE", "400000.00"],
      ["DURATION", "0.8"],
      ["STABILITY", "0.9"],
      ["CREDIT", "1.0"],
      ["DEPOSIT_LINKED", "288000.00"],
      ["MAX_AMOUNT", "1100000.00"],
      ["TERM", "360"],
      ["RATE", "0.0260"],
      ["REPAYMENT_CAPACITY", "2997454.32"],
      ["HOUSE_PRICE", "1600000.00"],
      ["QUOTA", "288000.00"],
    ]);
    expect(q.factors[2]!.explanation).toBe(
      "缴存稳定性系数：上月及之前 12 个月中已缴 11 个月（75% 及以上）→ 0.9；按月足额缴存可升至 1.0",
    );
  });

  it("takes the balance and the months as they were on asOf", async () => {
    // 2026-06-15: 2025-07 .. 2026-06 paid (June on the 10th): balance 12,000.00, base 300,000.00, 12 months → 0.8;
    // last 12 months 2025-06 .. 2026-05: 2025-06 is before the opening (unpaid), 11 paid → 0.9
    // 300,000 × 0.8 × 0.9 = 216,000.00
    const q = await quotaOf(man, "2026-06-15");
    expect(q.quota).toBe("216000.00");
    expect(values(q)).toMatchObject({ BASE: "300000.00", DURATION: "0.8", STABILITY: "0.9" });
  });

  it("cuts a woman's term to end before 63 and caps the quota at what 60 % of her income repays", async () => {
    // 2026-12-01: balance 6,000.00 → base 150,000.00; 6 paid months → 0.6; 2025-12 .. 2026-11: 6 paid (the months
    // before the opening count unpaid) → 50 % → 0.8; 150,000 × 0.6 × 0.8 = 72,000.00
    // term: 63 × 12 − 1 − 620 months of age = 135 months; 60 % × 1,000.00 = 600.00 a month at 2.6 % over 135 months:
    // (1+r)^135 = 1.3393488754 → 600 × 0.3393488754 / (0.0021666… × 1.3393488754) = 70,163.59 → 70,000.00
    const q = await quotaOf(woman, "2026-12-01", { monthlyIncome: "1000.00" });
    expect(values(q)).toMatchObject({
      BASE: "150000.00",
      DURATION: "0.6",
      STABILITY: "0.8",
      DEPOSIT_LINKED: "72000.00",
      TERM: "135",
      REPAYMENT_CAPACITY: "70163.59",
    });
    expect(q.quota).toBe("70000.00");
  });

  it("refuses fewer than 6 paid months on asOf with its reason", async () => {
    // 2026-10-05: 2026-05 .. 2026-09 paid (October is paid on the 10th)
    const q = await quotaOf(woman, "2026-10-05");
    expect(q).toMatchObject({ eligible: false, quota: "0.00", reasons: ["PAID_MONTHS_BELOW_MINIMUM"] });
    expect(values(q).DURATION).toBe("0.0");
  });

  it("applies the credit report: minor overdue 0.8, SERIOUS and the dishonest list refuse", async () => {
    try {
      t.credit.control.setReport({ idNumber: man.idNumber, level: "MINOR_OVERDUE", dishonestList: false });
      // 288,000 × 0.8 = 230,400 → 230,000.00
      expect((await quotaOf(man, "2026-12-01")).quota).toBe("230000.00");
      t.credit.control.setReport({ idNumber: man.idNumber, level: "SERIOUS", dishonestList: true });
      expect(await quotaOf(man, "2026-12-01")).toMatchObject({
        eligible: false,
        quota: "0.00",
        reasons: ["CREDIT_SERIOUS", "DISHONEST_LIST"],
      });
    } finally {
      t.credit.control.setReport({ idNumber: man.idNumber, level: "CLEAN", dishonestList: false });
    }
  });

  it("uses the second-home rate when asked, the first-home rate by default", async () => {
    expect(values(await quotaOf(man, "2026-12-01", { termYears: 5 })).RATE).toBe("0.0210");
    expect(values(await quotaOf(man, "2026-12-01", { termYears: 5, firstHome: false })).RATE).toBe("0.02525");
  });

  it("applies the multiple in force on asOf: a later change does not rewrite an earlier quota", async () => {
    const res = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
      SET_PARAMETER,
      {
        input: { key: "loan.balanceMultiple", value: "30", effectiveFrom: "2027-01-01", idempotencyKey: key("param") },
      },
      { as: "CENTER_ADMIN" },
    );
    expect(res.body.data!.setPolicyParameter.userErrors).toEqual([]);
    expect((await quotaOf(man, "2026-12-01")).quota).toBe("288000.00");
    // 2027-01-05: 30 × 16,000 = 480,000; 16 months → 0.8; 2026-01 .. 2026-12: 10 paid → 83 % → 0.9 → 345,600 → 345,000
    expect((await quotaOf(man, "2027-01-05")).quota).toBe("345000.00");
  });

  it("reads the facts of an account in one SQL statement, whatever its history", async () => {
    // A parameter table that stays loaded, so a reload never lands inside the counted call.
    const services = {
      prisma: t.hub.db.prisma,
      policy: new PolicyParameterService(t.hub.db.prisma, 3_600_000),
      // The hub's credit port writes the call's exchange record before it asks (outbound-exchange.ts); that is not a
      // fact of the account, so the count here uses a credit center that answers CLEAN without touching the database.
      credit: {
        getReport: (idNumber: string) =>
          Promise.resolve({
            idNumber,
            level: "CLEAN" as const,
            dishonestList: false,
            reportedAt: "2026-12-01T00:00:00Z",
          }),
        health: () => t.hub.services.credit.health(),
      },
    };
    await services.policy.on("2026-12-01");
    const query = (accountNumber: string) => ({
      accountNumber,
      asOf: "2026-12-01",
      monthlyIncome: new Money("20000.00"),
      housePrice: new Money("2000000.00"),
      termYears: 30,
      firstHome: true,
    });
    for (const worker of [man, woman]) {
      const { queries } = await t.hub.db.queries!.count(() =>
        loanQuotaOf(services, query(worker.accountNumber), () => true, {}),
      );
      expect({ worker: worker.accountNumber, queries }).toEqual({ worker: worker.accountNumber, queries: 1 });
    }
  });

  it("records the read in the exchange log", async () => {
    await quotaOf(woman, "2026-12-01");
    expect(await lastExchangeRecordFor(t, woman.idNumber)).toMatchObject({
      consumerRole: "CENTER_OPERATOR",
      operation: "loanQuota",
      outcome: "OK",
    });
  });
});

describe("loanQuota access and input", () => {
  const input = (accountNumber: string) => ({ accountNumber, asOf: "2026-12-01", ...rich });

  it("answers a worker about their own account and a center admin about any", async () => {
    const own = await quota(input(man.accountNumber), { as: "WORKER", sub: man.accountNumber });
    expect(own.body.data!.loanQuota.quota).toBe("288000.00");
    const admin = await quota(input(woman.accountNumber), { as: "CENTER_ADMIN" });
    expect(admin.body.data!.loanQuota.eligible).toBe(true);
  });

  it("answers a worker asking about another account exactly like a missing one", async () => {
    const other = await quota(input(woman.accountNumber), { as: "WORKER", sub: man.accountNumber });
    const missing = await quota(input("1405009999999999"), { as: "WORKER", sub: man.accountNumber });
    expect(errorCodes(other)).toEqual(["NOT_FOUND"]);
    expect(other.body).toEqual(missing.body);
    expect(errorCodes(await quota(input("1405009999999999")))).toEqual(["NOT_FOUND"]);
  });

  it("refuses other roles and anonymous callers", async () => {
    expect(errorCodes(await quota(input(man.accountNumber), { as: "TAX_BUREAU" }))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await quota(input(man.accountNumber), { as: "LEADERSHIP" }))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await quota(input(man.accountNumber), { as: null }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a house price of zero, a negative income and a term of zero years", async () => {
    const bad = [{ housePrice: "0.00" }, { monthlyIncome: "-1.00" }, { termYears: 0 }, { monthlyIncome: 1000 }];
    for (const change of bad) {
      const res = await quota({ ...input(man.accountNumber), ...change });
      expect([change, errorCodes(res)]).toEqual([change, ["BAD_USER_INPUT"]]);
    }
  });

  it("fails with CONNECTOR_UNAVAILABLE while the credit reference center is down", async () => {
    t.credit.control.setMode("down");
    try {
      expect(errorCodes(await quota(input(man.accountNumber)))).toEqual(["CONNECTOR_UNAVAILABLE"]);
    } finally {
      t.credit.control.setMode("up");
    }
  });
});
