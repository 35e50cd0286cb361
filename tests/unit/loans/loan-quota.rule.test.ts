import { makeIdNumber } from "../../../src/domain/accounts/id-number";
import {
  loanQuota,
  type LoanQuotaFacts,
  type LoanQuotaParameters,
  type LoanQuotaRequest,
  parseFactorTable,
} from "../../../src/domain/loans/loan-quota.rule";
import { formatMoney, Money } from "../../../src/domain/money/money";

const m = (text: string) => new Money(text);

/** The defaults of the policy catalog (domain.md). */
const PARAMS: LoanQuotaParameters = {
  minPaidMonths: 6,
  balanceMultiple: m("25"),
  balanceFloor: m("0.00"),
  durationFactors: parseFactorTable("6:0.6,12:0.8,24:0.9,36:1.0"),
  stabilityFactors: parseFactorTable("1.00:1.0,0.75:0.9,0:0.8"),
  creditFactorClean: m("1.0"),
  creditFactorMinorOverdue: m("0.8"),
  maxAmount: m("1100000.00"),
  repaymentIncomeRatio: m("0.60"),
  housePriceRatio: m("0.80"),
  maxTermYears: 30,
  maxEndAgeMale: 68,
  maxEndAgeFemale: 63,
  firstHomeRates: { upTo5Years: m("0.021"), over5Years: m("0.026") },
  secondHomeRates: { upTo5Years: m("0.02525"), over5Years: m("0.03075") },
  roundingUnit: m("1000.00"),
};

const AS_OF = "2026-12-01";
/** Born 1990-05-15, odd sequence: a man of 36 years 6 months (438 months) on AS_OF; his loans may run 377 months. */
const MAN = makeIdNumber("140502", "1990-05-15", 11);
/** Born 1975-03-10, even sequence: a woman of 51 years 8 months (620 months); 63 × 12 − 1 − 620 = 135 months. */
const WOMAN = makeIdNumber("140502", "1975-03-10", 22);

function facts(overrides: Partial<LoanQuotaFacts> = {}): LoanQuotaFacts {
  return {
    idNumber: MAN,
    balance: m("10000.00"),
    paidMonths: 40,
    stability: { paid: 12, of: 12 },
    credit: { level: "CLEAN", dishonestList: false },
    fraudBanInForce: false,
    accountActive: true,
    ...overrides,
  };
}

/** Income and price so high that neither cap binds: 60 % of 20,000 repays 2,997,454.32 over 360 months at 2.6 %. */
function request(overrides: Partial<LoanQuotaRequest> = {}): LoanQuotaRequest {
  return {
    asOf: AS_OF,
    monthlyIncome: m("20000.00"),
    housePrice: m("2000000.00"),
    termYears: 30,
    firstHome: true,
    ...overrides,
  };
}

function quotaOf(f: Partial<LoanQuotaFacts> = {}, r: Partial<LoanQuotaRequest> = {}, p = PARAMS) {
  return loanQuota(facts(f), request(r), p);
}
const amount = (f: Partial<LoanQuotaFacts> = {}, r: Partial<LoanQuotaRequest> = {}, p = PARAMS) =>
  formatMoney(quotaOf(f, r, p).quota);
const factor = (q: ReturnType<typeof quotaOf>, name: string) => q.factors.find((f) => f.name === name)?.value;

describe("the loan quota rule 存贷挂钩", () => {
  it("lends 25 × the balance to a clean, steady depositor of 40 months and explains every factor in order", () => {
    // base = 25 × 10,000.00 = 250,000.00; × 1.0 × 1.0 × 1.0; caps 1,100,000 / 2,997,454.32 / 1,600,000
    const q = quotaOf();
    expect(q.eligible).toBe(true);
    expect(q.reasons).toEqual([]);
    expect(formatMoney(q.quota)).toBe("250000.00");
    expect(q.factors.map((f) => [f.name, f.value])).toEqual([
      ["BASE", "250000.00"],
      ["DURATION", "1.0"],
      ["STABILITY", "1.0"],
      ["CREDIT", "1.0"],
      ["DEPOSIT_LINKED", "250000.00"],
      ["MAX_AMOUNT", "1100000.00"],
      ["TERM", "360"],
      ["RATE", "0.0260"],
      ["REPAYMENT_CAPACITY", "2997454.32"],
      ["HOUSE_PRICE", "1600000.00"],
      ["QUOTA", "250000.00"],
    ]);
    expect(q.factors[0]!.explanation).toBe("基数：余额 10000.00 元（计算下限 0.00 元）× 倍数 25 = 250000.00 元");
    expect(q.factors[10]!.explanation).toBe(
      "贷款额度：取以上较小者（存贷挂钩额度）250000.00 元，向下取整至 1000.00 元 → 250000.00 元",
    );
    expect(q.termMonths).toBe(360);
    expect(q.annualRate.toFixed(3)).toBe("0.026");
  });

  it.each([
    // paid months, factor, 250,000 × factor
    [6, "0.6", "150000.00"],
    [11, "0.6", "150000.00"],
    [12, "0.8", "200000.00"],
    [23, "0.8", "200000.00"],
    [24, "0.9", "225000.00"],
    [35, "0.9", "225000.00"],
    [36, "1.0", "250000.00"],
  ])("applies the duration factor for %i paid months: %s", (paidMonths, value, quota) => {
    const q = quotaOf({ paidMonths });
    expect(factor(q, "DURATION")).toBe(value);
    expect(formatMoney(q.quota)).toBe(quota);
  });

  it("tells what would raise the duration factor", () => {
    expect(quotaOf({ paidMonths: 18 }).factors[1]!.explanation).toBe(
      "缴存时长系数：已缴存 18 个月（12 个月及以上）→ 0.8；缴满 24 个月可升至 0.9",
    );
  });

  it.each([
    // paid of the last 12 months, share, factor, 250,000 × factor
    [12, "1.0", "250000.00"], // 100 %
    [11, "0.9", "225000.00"], // 91.7 %
    [9, "0.9", "225000.00"], // 75 % exactly
    [8, "0.8", "200000.00"], // 66.7 %
    [0, "0.8", "200000.00"],
  ])("applies the stability factor for %i of the last 12 months paid: %s", (paid, value, quota) => {
    const q = quotaOf({ stability: { paid, of: 12 } });
    expect(factor(q, "STABILITY")).toBe(value);
    expect(formatMoney(q.quota)).toBe(quota);
  });

  it("applies 0.8 for a minor overdue in the credit report", () => {
    // 250,000 × 0.8 = 200,000
    const q = quotaOf({ credit: { level: "MINOR_OVERDUE", dishonestList: false } });
    expect(factor(q, "CREDIT")).toBe("0.8");
    expect(formatMoney(q.quota)).toBe("200000.00");
  });

  it("multiplies the factors together", () => {
    // 250,000 × 0.8 (18 months) × 0.9 (9 of 12) × 0.8 (minor overdue) = 250,000 × 0.576 = 144,000
    const q = quotaOf({
      paidMonths: 18,
      stability: { paid: 9, of: 12 },
      credit: { level: "MINOR_OVERDUE", dishonestList: false },
    });
    expect(factor(q, "DEPOSIT_LINKED")).toBe("144000.00");
    expect(formatMoney(q.quota)).toBe("144000.00");
  });

  it("rounds the quota down to 1,000", () => {
    // 25 × 10,123.45 = 253,086.25; × 0.9 (30 months) = 227,777.625 → 227,777.62 shown → 227,000.00
    const q = quotaOf({ balance: m("10123.45"), paidMonths: 30 });
    expect(factor(q, "BASE")).toBe("253086.25");
    expect(factor(q, "DEPOSIT_LINKED")).toBe("227777.62");
    expect(formatMoney(q.quota)).toBe("227000.00");
  });

  it("counts the balance floor when the balance is below it", () => {
    // floor 5,000: 25 × max(3,000, 5,000) = 125,000
    expect(amount({ balance: m("3000.00") }, {}, { ...PARAMS, balanceFloor: m("5000.00") })).toBe("125000.00");
    expect(amount({ balance: m("3000.00") })).toBe("75000.00");
  });

  it("uses the multiple it is given (the one in force on asOf)", () => {
    expect(amount({}, {}, { ...PARAMS, balanceMultiple: m("30") })).toBe("300000.00");
  });

  it("caps the quota at the maximum loan of 1,100,000", () => {
    // 25 × 50,000 = 1,250,000 > 1,100,000
    const q = quotaOf({ balance: m("50000.00") });
    expect(formatMoney(q.quota)).toBe("1100000.00");
    expect(q.factors[10]!.explanation).toContain("最高贷款额度");
  });

  it("caps the quota at 80 % of the house price, rounded down", () => {
    // 80 % × 300,000 = 240,000 < 250,000
    expect(amount({}, { housePrice: m("300000.00") })).toBe("240000.00");
    // 80 % × 312,345.67 = 249,876.536 → 249,876.53 → 249,000
    const q = quotaOf({}, { housePrice: m("312345.67") });
    expect(factor(q, "HOUSE_PRICE")).toBe("249876.53");
    expect(formatMoney(q.quota)).toBe("249000.00");
  });

  /*
   * Income 2,000.00 × 60 % = 1,200.00 a month. Principal supported = M × ((1+r)^n − 1) / (r × (1+r)^n):
   * 20 y at 2.6 %: r = 0.0021666…, (1+r)^240 = 1.6810817400 → 1200 × 0.6810817400 / 0.0036423438 = 224,387.95 → 224,000
   */
  it("caps the quota at what 60 % of the monthly income repays over the term", () => {
    const q = quotaOf({}, { monthlyIncome: m("2000.00"), termYears: 20 });
    expect(factor(q, "TERM")).toBe("240");
    expect(factor(q, "REPAYMENT_CAPACITY")).toBe("224387.95");
    expect(formatMoney(q.quota)).toBe("224000.00");
  });

  /*
   * 5 y at 2.1 %: r = 0.00175, (1.00175)^60 = 1.1106086874 → 1200 × 0.1106086874 / 0.0019435652 = 68,292.24 → 68,000
   */
  it("uses the rate for terms up to 5 years in the capacity cap", () => {
    const q = quotaOf({}, { monthlyIncome: m("2000.00"), termYears: 5 });
    expect(factor(q, "RATE")).toBe("0.0210");
    expect(factor(q, "REPAYMENT_CAPACITY")).toBe("68292.24");
    expect(formatMoney(q.quota)).toBe("68000.00");
  });

  /*
   * Second home, 20 y at 3.075 %: r = 0.0025625, (1+r)^240 = 1.8482021851
   *   → 1200 × 0.8482021851 / 0.0047360181 = 214,915.27 → 214,000
   * Second home, 5 y at 2.525 %: 67,573.70 → 67,000
   */
  it("uses the second-home rates when it is not a first home", () => {
    const q = quotaOf({}, { monthlyIncome: m("2000.00"), termYears: 20, firstHome: false });
    expect(factor(q, "RATE")).toBe("0.03075");
    expect(formatMoney(q.quota)).toBe("214000.00");
    expect(amount({}, { monthlyIncome: m("2000.00"), termYears: 5, firstHome: false })).toBe("67000.00");
  });

  /*
   * The woman is 620 months old on asOf; her loan must end before 63 × 12 = 756 months: 756 − 1 − 620 = 135 months.
   * 135 months at 2.6 % (> 5 y): (1+r)^135 = 1.3393488754 → 1200 × 0.3393488754 / 0.0029019226 = 140,327.19 → 140,000
   */
  it("cuts a woman's term to end before 63 and uses the cut term for the capacity cap", () => {
    const q = quotaOf({ idNumber: WOMAN }, { monthlyIncome: m("2000.00"), termYears: 30 });
    expect(factor(q, "TERM")).toBe("135");
    expect(q.factors[6]!.explanation).toBe(
      "贷款期限：最长 30 年，须在 63 周岁前还清（女，现年 51 岁 8 个月）→ 135 个月（已缩短，申请 30 年）",
    );
    expect(factor(q, "REPAYMENT_CAPACITY")).toBe("140327.19");
    expect(formatMoney(q.quota)).toBe("140000.00");
    expect(q.termMonths).toBe(135);
  });

  /*
   * A man born 1960-01-20 is 802 months old on 2026-12-01: 68 × 12 − 1 − 802 = 13 months, so the short-term rate 2.1 %:
   * (1.00175)^13 = 1.0229904145 → 1200 × 0.0229904145 / 0.0017902332 = 15,410.56 → 15,000
   */
  it("cuts a man's term to end before 68, which can bring the short-term rate", () => {
    const q = quotaOf({ idNumber: makeIdNumber("140502", "1960-01-20", 31) }, { monthlyIncome: m("2000.00") });
    expect(factor(q, "TERM")).toBe("13");
    expect(factor(q, "RATE")).toBe("0.0210");
    expect(formatMoney(q.quota)).toBe("15000.00");
  });

  it("cuts a requested term above 30 years to 30 years", () => {
    expect(factor(quotaOf({}, { termYears: 35 }), "TERM")).toBe("360");
  });

  it("refuses a term that is not a positive whole number of years", () => {
    expect(() => quotaOf({}, { termYears: 0 })).toThrow(RangeError);
  });
});

describe("the loan quota gate", () => {
  it.each([
    ["an account that is not active", { accountActive: false }, ["ACCOUNT_NOT_ACTIVE"]],
    ["fewer than 6 paid months", { paidMonths: 5 }, ["PAID_MONTHS_BELOW_MINIMUM"]],
    ["a fraud ban in force", { fraudBanInForce: true }, ["FRAUD_BAN"]],
    ["a SERIOUS credit report", { credit: { level: "SERIOUS", dishonestList: false } }, ["CREDIT_SERIOUS"]],
    ["the dishonest-persons list", { credit: { level: "CLEAN", dishonestList: true } }, ["DISHONEST_LIST"]],
    // born 1958-06-01: 68 years 6 months on asOf, no month left before 68
    [
      "no term left before the age limit",
      { idNumber: makeIdNumber("140502", "1958-06-01", 11) },
      ["AGE_LIMIT_REACHED"],
    ],
  ] as [string, Partial<LoanQuotaFacts>, string[]][])(
    "refuses %s with its reason and a quota of 0.00",
    (_, f, reasons) => {
      const q = quotaOf(f);
      expect(q.eligible).toBe(false);
      expect(q.reasons).toEqual(reasons);
      expect(formatMoney(q.quota)).toBe("0.00");
      expect(q.factors.at(-1)).toEqual({
        name: "QUOTA",
        value: "0.00",
        explanation: `贷款额度：不符合贷款条件（${reasons.join(", ")}）→ 0.00 元`,
      });
    },
  );

  it("lends at 6 paid months exactly", () => {
    expect(quotaOf({ paidMonths: 6 }).eligible).toBe(true);
  });

  it("reports every failed gate, in order", () => {
    const q = quotaOf({
      idNumber: makeIdNumber("140502", "1958-06-01", 11),
      paidMonths: 3,
      fraudBanInForce: true,
      accountActive: false,
      credit: { level: "SERIOUS", dishonestList: true },
    });
    expect(q.reasons).toEqual([
      "ACCOUNT_NOT_ACTIVE",
      "PAID_MONTHS_BELOW_MINIMUM",
      "FRAUD_BAN",
      "CREDIT_SERIOUS",
      "DISHONEST_LIST",
      "AGE_LIMIT_REACHED",
    ]);
    expect(factor(q, "DURATION")).toBe("0.0");
    expect(factor(q, "CREDIT")).toBe("0.0");
  });
});

describe("parseFactorTable", () => {
  it("sorts the steps and refuses a malformed entry", () => {
    expect(parseFactorTable("12:0.8,6:0.6").map((s) => [s.from.toString(), s.factor.toString()])).toEqual([
      ["6", "0.6"],
      ["12", "0.8"],
    ]);
    expect(() => parseFactorTable("6=0.6")).toThrow(RangeError);
  });
});
