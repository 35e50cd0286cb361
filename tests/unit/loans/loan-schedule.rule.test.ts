import {
  instalmentPayment,
  levelAmount,
  loanSchedule,
  type PlannedInstalment,
  principalSupportedBy,
  replanAfterPrepayment,
} from "../../../src/domain/loans/loan-schedule.rule";
import { formatMoney, Money } from "../../../src/domain/money/money";

const m = (text: string) => new Money(text);
const row = (i: PlannedInstalment) => [
  i.number,
  i.period,
  formatMoney(i.principal),
  formatMoney(i.interest),
  formatMoney(i.total),
  formatMoney(i.outstandingAfter),
];

/*
 * 300,000.00 at 2.6 % over 240 months (20 years), disbursed 2026-12-15.
 * r = 0.026 / 12 = 0.00216666…; (1 + r)^240 = 1.68108173998006634…
 * payment = 300000 × 0.00216666… × 1.68108173998… / 0.68108173998… = 1092.7031309870… / 0.6810817399800… = 1604.36415608…
 *         → 1604.36 (half-up)
 * #1 interest = 300000.00 × 0.026 / 12 = 7800 / 12 = 650.00; principal = 1604.36 − 650.00 = 954.36; left 299045.64
 * #2 interest = 299045.64 × 0.026 / 12 = 7775.18664 / 12 = 647.932220 → 647.93; principal = 956.43; left 298089.21
 * The middle and last rows repeat that step 240 times; they were iterated outside the code under test (Python's
 * decimal module, 40 digits, ROUND_HALF_UP per step):
 * #120 interest 369.65, principal 1234.71, left 169370.76
 * #239 interest 6.93, principal 1597.43, left 1602.22
 * #240 interest = 1602.22 × 0.026 / 12 = 41.65772 / 12 = 3.4714… → 3.47; principal = the rest 1602.22; total 1605.69
 *      (the payment was rounded down by 0.0042 a month, so the last instalment carries the drift, 1.33 above it)
 */
describe("the equal-instalment schedule 等额本息", () => {
  const schedule = loanSchedule({
    principal: m("300000.00"),
    annualRate: m("0.026"),
    termMonths: 240,
    method: "EQUAL_INSTALMENT",
    disbursedOn: "2026-12-15",
  });

  it("pays 1,604.36 a month for 300,000 over 20 years at 2.6 %", () => {
    expect(formatMoney(instalmentPayment(m("300000.00"), m("0.026"), 240))).toBe("1604.36");
  });

  it("splits the first two instalments into interest on the outstanding and the rest as principal", () => {
    expect(schedule.slice(0, 2).map(row)).toEqual([
      [1, "2027-01", "954.36", "650.00", "1604.36", "299045.64"],
      [2, "2027-02", "956.43", "647.93", "1604.36", "298089.21"],
    ]);
  });

  it("has 240 instalments, a middle one at 1,604.36 and a last one that takes the remaining principal", () => {
    expect(schedule).toHaveLength(240);
    expect(row(schedule[119]!)).toEqual([120, "2036-12", "1234.71", "369.65", "1604.36", "169370.76"]);
    expect(row(schedule[238]!)).toEqual([239, "2046-11", "1597.43", "6.93", "1604.36", "1602.22"]);
    expect(row(schedule[239]!)).toEqual([240, "2046-12", "1602.22", "3.47", "1605.69", "0.00"]);
  });

  it("repays exactly the principal", () => {
    const repaid = schedule.reduce((sum, i) => sum.plus(i.principal), m("0"));
    expect(formatMoney(repaid)).toBe("300000.00");
  });

  /*
   * 10,000.00 at 3.6 % over 3 months: r = 0.003; (1.003)^3 = 1.009027027
   * payment = 10000 × 0.003 × 1.009027027 / 0.009027027 = 30.27081081 / 0.009027027 = 3353.3533… → 3353.35
   * #1 interest 30.00, principal 3323.35, left 6676.65
   * #2 interest 6676.65 × 0.003 = 20.02995 → 20.03, principal 3333.32, left 3343.33
   * #3 interest 3343.33 × 0.003 = 10.02999 → 10.03, principal the rest 3343.33, total 3353.36
   */
  it("falls due from the month after disbursement and lets the last instalment take the rest", () => {
    const short = loanSchedule({
      principal: m("10000.00"),
      annualRate: m("0.036"),
      termMonths: 3,
      method: "EQUAL_INSTALMENT",
      disbursedOn: "2026-11-30",
    });
    expect(short.map(row)).toEqual([
      [1, "2026-12", "3323.35", "30.00", "3353.35", "6676.65"],
      [2, "2027-01", "3333.32", "20.03", "3353.35", "3343.33"],
      [3, "2027-02", "3343.33", "10.03", "3353.36", "0.00"],
    ]);
  });
});

/*
 * Equal principal, 300,000.00 at 2.6 % over 240 months: principal = 300000 / 240 = 1250.00 a month.
 * #1 interest 300000 × 0.026 / 12 = 650.00, total 1900.00
 * #2 interest 298750 × 0.026 / 12 = 7767.5 / 12 = 647.2916… → 647.29, total 1897.29
 * #120 outstanding before = 300000 − 119 × 1250 = 151250; interest = 3932.5 / 12 = 327.7083… → 327.71, total 1577.71
 * #240 outstanding before = 1250; interest = 32.5 / 12 = 2.7083… → 2.71, total 1252.71
 */
describe("the equal-principal schedule 等额本金", () => {
  const schedule = loanSchedule({
    principal: m("300000.00"),
    annualRate: m("0.026"),
    termMonths: 240,
    method: "EQUAL_PRINCIPAL",
    disbursedOn: "2026-12-15",
  });

  it("repays 1,250.00 of principal a month with interest on the outstanding", () => {
    expect(schedule).toHaveLength(240);
    expect(schedule.slice(0, 2).map(row)).toEqual([
      [1, "2027-01", "1250.00", "650.00", "1900.00", "298750.00"],
      [2, "2027-02", "1250.00", "647.29", "1897.29", "297500.00"],
    ]);
    expect(row(schedule[119]!)).toEqual([120, "2036-12", "1250.00", "327.71", "1577.71", "150000.00"]);
    expect(row(schedule[239]!)).toEqual([240, "2046-12", "1250.00", "2.71", "1252.71", "0.00"]);
  });

  /*
   * 10,000.00 at 3.6 % over 3 months: 10000 / 3 = 3333.333… → 3333.33; the last takes 10000 − 6666.66 = 3333.34.
   * interest 30.00; 6666.67 × 0.003 = 20.00001 → 20.00; 3333.34 × 0.003 = 10.00002 → 10.00
   */
  it("rounds the monthly principal half-up and lets the last instalment take the rest", () => {
    const short = loanSchedule({
      principal: m("10000.00"),
      annualRate: m("0.036"),
      termMonths: 3,
      method: "EQUAL_PRINCIPAL",
      disbursedOn: "2026-01-31",
    });
    expect(short.map(row)).toEqual([
      [1, "2026-02", "3333.33", "30.00", "3363.33", "6666.67"],
      [2, "2026-03", "3333.33", "20.00", "3353.33", "3333.34"],
      [3, "2026-04", "3333.34", "10.00", "3343.34", "0.00"],
    ]);
  });
});

describe("a prepayment of principal 提前还本", () => {
  /*
   * Equal instalment, after instalment #12 of the 300,000 plan: left 288410.22 (iterated as above); prepay 50,000.00
   * → 238410.22 owed. Same payment 1604.36: n = −ln(1 − B·r/M) / ln(1 + r)
   *   B·r/M = 238410.22 × 0.00216666… / 1604.36 = 516.5554… / 1604.36 = 0.321970…; −ln(0.678030…) = 0.388563…;
   *   ln(1.00216666…) = 0.00216432…; n = 179.53… → 180 months, numbers 13..192 instead of 13..240.
   * #13 interest = 238410.22 × 0.026 / 12 = 6198.66572 / 12 = 516.5554… → 516.56; principal 1087.80
   * #192 (iterated outside the code under test, as above): interest 1.84, principal the rest 850.84, total 852.68
   */
  it("keeps the equal-instalment payment and shortens the term", () => {
    const replan = replanAfterPrepayment({
      method: "EQUAL_INSTALMENT",
      annualRate: m("0.026"),
      level: m("1604.36"),
      outstanding: m("238410.22"),
      nextNumber: 13,
      nextPeriod: "2028-01",
      remainingMonths: 228,
    });
    expect(replan).toHaveLength(180);
    expect(row(replan[0]!)).toEqual([13, "2028-01", "1087.80", "516.56", "1604.36", "237322.42"]);
    expect(row(replan[179]!)).toEqual([192, "2042-12", "850.84", "1.84", "852.68", "0.00"]);
  });

  /*
   * Equal principal, after #12: 300000 − 12 × 1250 = 285000; prepay 50,000 → 235000; 235000 / 1250 = 188 months
   * (13..200). #13 interest = 235000 × 0.026 / 12 = 509.1666… → 509.17; #200 as the plan's last: 1250 + 2.71.
   */
  it("keeps the equal-principal monthly principal and shortens the term", () => {
    const replan = replanAfterPrepayment({
      method: "EQUAL_PRINCIPAL",
      annualRate: m("0.026"),
      level: levelAmount(m("300000.00"), m("0.026"), 240, "EQUAL_PRINCIPAL"),
      outstanding: m("235000.00"),
      nextNumber: 13,
      nextPeriod: "2028-01",
      remainingMonths: 228,
    });
    expect(replan).toHaveLength(188);
    expect(row(replan[0]!)).toEqual([13, "2028-01", "1250.00", "509.17", "1759.17", "233750.00"]);
    expect(row(replan[187]!)).toEqual([200, "2043-08", "1250.00", "2.71", "1252.71", "0.00"]);
  });

  /*
   * 10,000.00 at 3.6 % over 3 months, 3353.35 a month; after #1, 6676.65 owed; prepay 4,000.00 → 2676.65, which one
   * payment covers: interest 2676.65 × 0.003 = 8.02995 → 8.03, principal 2676.65, total 2684.68, and the loan ends.
   */
  it("ends the loan at the next instalment when one payment covers what is left", () => {
    const replan = replanAfterPrepayment({
      method: "EQUAL_INSTALMENT",
      annualRate: m("0.036"),
      level: m("3353.35"),
      outstanding: m("2676.65"),
      nextNumber: 2,
      nextPeriod: "2027-01",
      remainingMonths: 2,
    });
    expect(replan.map(row)).toEqual([[2, "2027-01", "2676.65", "8.03", "2684.68", "0.00"]]);
  });

  it("never lengthens the term and plans nothing once the principal is repaid", () => {
    const common = {
      method: "EQUAL_INSTALMENT" as const,
      annualRate: m("0.036"),
      level: m("3353.35"),
      nextNumber: 2,
      nextPeriod: "2027-01",
    };
    // 6676.65 left and no prepayment: the two instalments of the plan remain (see the 3-month plan above)
    expect(replanAfterPrepayment({ ...common, outstanding: m("6676.65"), remainingMonths: 2 })).toHaveLength(2);
    expect(replanAfterPrepayment({ ...common, outstanding: m("0.00"), remainingMonths: 2 })).toEqual([]);
  });
});

describe("the principal a payment supports (the repayment-capacity cap)", () => {
  // 1604.36 × 0.68108173998… / (0.00216666… × 1.68108173998…) = 299999.22…: the rounded-down payment repays
  // a little less than 300,000; the exact payment 1604.36415608… repays exactly 300,000
  it("inverts the payment formula", () => {
    expect(principalSupportedBy(m("1604.36"), m("0.026"), 240).toDecimalPlaces(2, Money.ROUND_DOWN).toFixed(2)).toBe(
      "299999.22",
    );
  });

  it("refuses a term that is not a positive whole number of months", () => {
    expect(() => principalSupportedBy(m("1000"), m("0.026"), 0)).toThrow(RangeError);
    expect(() => instalmentPayment(m("1000"), m("0.026"), 1.5)).toThrow(RangeError);
  });
});
