import {
  checkLumpSumAmount,
  checkMonthlyDeposit,
  depositKind,
  type DepositLimits,
  lumpSumCoverage,
  lumpSumLimitsDate,
  type MonthlyDepositFacts,
} from "../../../src/domain/deposits/deposit.rule";
import { parseMoney } from "../../../src/domain/money/money";

const LIMITS_2026: DepositLimits = {
  monthlyMin: parseMoney("216.00"),
  monthlyMax: parseMoney("5804.00"),
  backPayWithinSettlementYear: true,
};

function deposit(overrides: Partial<MonthlyDepositFacts> = {}): MonthlyDepositFacts {
  return {
    period: "2026-11",
    amount: parseMoney("1000.00"),
    paidOn: "2026-11-15",
    openedOn: "2026-08-10",
    paidPeriods: new Set(["2026-08", "2026-09"]),
    ...overrides,
  };
}

function codes(f: MonthlyDepositFacts, limits: DepositLimits = LIMITS_2026): string[] {
  return checkMonthlyDeposit(f, limits).map((v) => v.code);
}

describe("checkMonthlyDeposit: amount", () => {
  it("accepts a deposit for the current month within the limits", () => {
    expect(checkMonthlyDeposit(deposit(), LIMITS_2026)).toEqual([]);
  });

  it.each(["216.00", "5804.00"])("accepts a deposit of exactly %s", (amount) => {
    expect(codes(deposit({ amount: parseMoney(amount) }))).toEqual([]);
  });

  it("refuses a deposit one fen below the monthly floor", () => {
    const [violation] = checkMonthlyDeposit(deposit({ amount: parseMoney("215.99") }), LIMITS_2026);
    expect(violation).toMatchObject({ code: "AMOUNT_BELOW_MINIMUM", field: "amount" });
  });

  it("refuses a deposit above the monthly ceiling", () => {
    const [violation] = checkMonthlyDeposit(deposit({ amount: parseMoney("5804.01") }), LIMITS_2026);
    expect(violation).toMatchObject({ code: "AMOUNT_ABOVE_MAXIMUM", field: "amount" });
    expect(violation?.message).toContain("5804.00");
  });

  it.each(["0.00", "-216.00"])("refuses a non-positive deposit of %s without also reporting the floor", (amount) => {
    expect(codes(deposit({ amount: parseMoney(amount) }))).toEqual(["AMOUNT_NOT_POSITIVE"]);
  });
});

describe("checkMonthlyDeposit: period", () => {
  it("accepts the opening month and refuses the month before it", () => {
    expect(codes(deposit({ openedOn: "2026-11-05", paidPeriods: new Set() }))).toEqual([]);
    expect(codes(deposit({ period: "2026-10", openedOn: "2026-10-31", paidPeriods: new Set() }))).toEqual([]);
    expect(codes(deposit({ period: "2026-10", openedOn: "2026-11-01", paidPeriods: new Set() }))).toEqual([
      "PERIOD_BEFORE_OPENING",
    ]);
  });

  it("refuses paying next month in advance, even on the last day of this month", () => {
    expect(codes(deposit({ period: "2026-12", paidOn: "2026-11-30" }))).toEqual(["PERIOD_IN_FUTURE"]);
    expect(codes(deposit({ period: "2026-12", paidOn: "2026-12-01" }))).toEqual([]);
  });

  it("refuses a month that is already paid", () => {
    const [violation] = checkMonthlyDeposit(deposit({ paidPeriods: new Set(["2026-11"]) }), LIMITS_2026);
    expect(violation).toMatchObject({ code: "MONTH_ALREADY_PAID", field: "period" });
  });

  it("refuses a malformed period without further checks", () => {
    expect(codes(deposit({ period: "2026-13" }))).toEqual(["INVALID_PERIOD"]);
    expect(codes(deposit({ period: "2026-13", amount: parseMoney("0.00") }))).toEqual([
      "AMOUNT_NOT_POSITIVE",
      "INVALID_PERIOD",
    ]);
  });

  it("reports every violation together", () => {
    const f = deposit({ period: "2026-07", amount: parseMoney("6000.00"), paidPeriods: new Set(["2026-07"]) });
    expect(codes(f)).toEqual(["AMOUNT_ABOVE_MAXIMUM", "PERIOD_BEFORE_OPENING", "MONTH_ALREADY_PAID"]);
  });
});

describe("checkMonthlyDeposit: back payment", () => {
  const opened2025 = { openedOn: "2025-01-10", paidPeriods: new Set<string>() };

  it("accepts back paying July on the last day of the same settlement year", () => {
    expect(codes(deposit({ ...opened2025, period: "2026-07", paidOn: "2027-06-30" }))).toEqual([]);
  });

  it("refuses back paying June once the next settlement year has begun", () => {
    const [violation] = checkMonthlyDeposit(
      deposit({ ...opened2025, period: "2027-06", paidOn: "2027-07-01" }),
      LIMITS_2026,
    );
    expect(violation).toMatchObject({ code: "BACK_PAYMENT_OUTSIDE_SETTLEMENT_YEAR", field: "period" });
  });

  it("refuses back paying June of the previous settlement year in July", () => {
    expect(codes(deposit({ ...opened2025, period: "2026-06", paidOn: "2026-07-15" }))).toEqual([
      "BACK_PAYMENT_OUTSIDE_SETTLEMENT_YEAR",
    ]);
  });

  it("refuses every back payment when the policy does not allow back payment", () => {
    const noBackPay = { ...LIMITS_2026, backPayWithinSettlementYear: false };
    expect(codes(deposit({ ...opened2025, period: "2026-10", paidOn: "2026-11-01" }), noBackPay)).toEqual([
      "BACK_PAYMENT_NOT_ALLOWED",
    ]);
    expect(codes(deposit({ ...opened2025, period: "2026-11", paidOn: "2026-11-01" }), noBackPay)).toEqual([]);
  });
});

describe("depositKind", () => {
  it("is a deposit for the month of payment and a back payment for an earlier month", () => {
    expect(depositKind("2026-11", "2026-11-01")).toBe("DEPOSIT");
    expect(depositKind("2026-11", "2026-11-30")).toBe("DEPOSIT");
    expect(depositKind("2026-10", "2026-11-01")).toBe("BACK_PAYMENT");
    expect(depositKind("2026-12", "2027-01-01")).toBe("BACK_PAYMENT");
  });
});

describe("lumpSumCoverage", () => {
  it("covers the rest of the settlement year for a worker who opened mid-year", () => {
    const coverage = lumpSumCoverage({
      settlementYear: 2026,
      paidOn: "2026-11-05",
      openedOn: "2026-11-05",
      paidPeriods: new Set(),
      backPaymentAllowed: true,
    });
    expect(coverage.violations).toEqual([]);
    expect(coverage.months).toEqual([
      "2026-11",
      "2026-12",
      "2027-01",
      "2027-02",
      "2027-03",
      "2027-04",
      "2027-05",
      "2027-06",
    ]);
  });

  it("covers all twelve months for an account opened before the year", () => {
    const coverage = lumpSumCoverage({
      settlementYear: 2026,
      paidOn: "2026-07-01",
      openedOn: "2025-03-01",
      paidPeriods: new Set(),
      backPaymentAllowed: true,
    });
    expect(coverage.months).toHaveLength(12);
    expect(coverage.months[0]).toBe("2026-07");
    expect(coverage.months[11]).toBe("2027-06");
  });

  it("skips months already paid", () => {
    const coverage = lumpSumCoverage({
      settlementYear: 2026,
      paidOn: "2026-09-20",
      openedOn: "2025-03-01",
      paidPeriods: new Set(["2026-07", "2026-08", "2027-01", "2026-06"]),
      backPaymentAllowed: true,
    });
    expect(coverage.months).toHaveLength(9);
    expect(coverage.months).not.toContain("2027-01");
    expect(coverage.months[0]).toBe("2026-09");
  });

  it("accepts the current settlement year on its last day and the next one in advance", () => {
    const base = {
      paidOn: "2027-06-30",
      openedOn: "2027-06-30",
      paidPeriods: new Set<string>(),
      backPaymentAllowed: true,
    };
    expect(lumpSumCoverage({ ...base, settlementYear: 2026 })).toEqual({ months: ["2027-06"], violations: [] });
    expect(lumpSumCoverage({ ...base, settlementYear: 2027 }).months).toHaveLength(12);
  });

  it("refuses a settlement year that has ended", () => {
    const coverage = lumpSumCoverage({
      settlementYear: 2025,
      paidOn: "2026-07-01",
      openedOn: "2025-03-01",
      paidPeriods: new Set(),
      backPaymentAllowed: true,
    });
    expect(coverage.months).toEqual([]);
    expect(coverage.violations).toEqual([
      expect.objectContaining({ code: "SETTLEMENT_YEAR_CLOSED", field: "settlementYear" }),
    ]);
  });

  it("refuses a settlement year more than one year ahead", () => {
    const coverage = lumpSumCoverage({
      settlementYear: 2027,
      paidOn: "2026-06-30",
      openedOn: "2025-03-01",
      paidPeriods: new Set(),
      backPaymentAllowed: true,
    });
    expect(coverage.months).toEqual([]);
    expect(coverage.violations.map((v) => v.code)).toEqual(["SETTLEMENT_YEAR_TOO_FAR"]);
  });

  it("covers earlier unpaid months of the year only while back payment is allowed", () => {
    // Opened 2026-07-01, paid on 2026-11-15: with back payment 2026-07 .. 2027-06 (12), without it 2026-11 .. 2027-06 (8).
    const facts = {
      settlementYear: 2026,
      paidOn: "2026-11-15",
      openedOn: "2026-07-01",
      paidPeriods: new Set<string>(),
    };
    expect(lumpSumCoverage({ ...facts, backPaymentAllowed: true }).months).toEqual([
      "2026-07",
      "2026-08",
      "2026-09",
      "2026-10",
      "2026-11",
      "2026-12",
      "2027-01",
      "2027-02",
      "2027-03",
      "2027-04",
      "2027-05",
      "2027-06",
    ]);
    expect(lumpSumCoverage({ ...facts, backPaymentAllowed: false })).toEqual({
      months: ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"],
      violations: [],
    });
  });

  it("covers all of next year without back payment: none of its months is earlier than the payment", () => {
    const coverage = lumpSumCoverage({
      settlementYear: 2027,
      paidOn: "2027-05-20",
      openedOn: "2026-07-01",
      paidPeriods: new Set(),
      backPaymentAllowed: false,
    });
    expect(coverage.months).toHaveLength(12);
    expect(coverage.months[0]).toBe("2027-07");
  });

  it("reports nothing to pay when only earlier months are left and back payment is off", () => {
    const coverage = lumpSumCoverage({
      settlementYear: 2026,
      paidOn: "2027-06-10",
      openedOn: "2026-07-01",
      paidPeriods: new Set(["2027-06"]),
      backPaymentAllowed: false,
    });
    expect(coverage.violations.map((v) => v.code)).toEqual(["NOTHING_TO_PAY"]);
  });

  it("reports nothing to pay when every month of the year is paid", () => {
    const paid = new Set([
      "2026-07",
      "2026-08",
      "2026-09",
      "2026-10",
      "2026-11",
      "2026-12",
      "2027-01",
      "2027-02",
      "2027-03",
      "2027-04",
      "2027-05",
      "2027-06",
    ]);
    const coverage = lumpSumCoverage({
      settlementYear: 2026,
      paidOn: "2026-07-01",
      openedOn: "2025-03-01",
      paidPeriods: paid,
      backPaymentAllowed: true,
    });
    expect(coverage.months).toEqual([]);
    expect(coverage.violations.map((v) => v.code)).toEqual(["NOTHING_TO_PAY"]);
  });
});

describe("lumpSumLimitsDate", () => {
  it("is the first day of the settlement year paid for, whatever the payment date", () => {
    expect(lumpSumLimitsDate(2027)).toBe("2027-07-01");
    expect(lumpSumLimitsDate(2026)).toBe("2026-07-01");
  });
});

describe("checkLumpSumAmount", () => {
  it("accepts exactly the monthly amount times the months covered", () => {
    expect(checkLumpSumAmount(parseMoney("1728.00"), parseMoney("216.00"), 8, LIMITS_2026)).toEqual([]);
    expect(checkLumpSumAmount(parseMoney("69648.00"), parseMoney("5804.00"), 12, LIMITS_2026)).toEqual([]);
  });

  it("refuses a lump sum one fen short and states the expected figure", () => {
    const [violation] = checkLumpSumAmount(parseMoney("1727.99"), parseMoney("216.00"), 8, LIMITS_2026);
    expect(violation).toMatchObject({ code: "LUMP_SUM_AMOUNT_MISMATCH", field: "amount" });
    expect(violation?.message).toContain("1728.00");
  });

  it("refuses a lump sum one fen over", () => {
    expect(checkLumpSumAmount(parseMoney("1728.01"), parseMoney("216.00"), 8, LIMITS_2026).map((v) => v.code)).toEqual([
      "LUMP_SUM_AMOUNT_MISMATCH",
    ]);
  });

  it("refuses a monthly amount outside the limits even when the product matches", () => {
    expect(checkLumpSumAmount(parseMoney("2591.88"), parseMoney("215.99"), 12, LIMITS_2026).map((v) => v.code)).toEqual(
      ["AMOUNT_BELOW_MINIMUM"],
    );
    expect(
      checkLumpSumAmount(parseMoney("69648.12"), parseMoney("5804.01"), 12, LIMITS_2026).map((v) => v.code),
    ).toEqual(["AMOUNT_ABOVE_MAXIMUM"]);
  });

  it("refuses a month count that is not a positive integer", () => {
    expect(() => checkLumpSumAmount(parseMoney("0.00"), parseMoney("216.00"), 0, LIMITS_2026)).toThrow(RangeError);
    expect(() => checkLumpSumAmount(parseMoney("324.00"), parseMoney("216.00"), 1.5, LIMITS_2026)).toThrow(RangeError);
  });
});
