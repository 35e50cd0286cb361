import {
  accumulatedBalance,
  type BalanceMovement,
  daysIn,
  decideInterestSubsidy,
  exitInterestPeriod,
  interestOn,
  type InterestSubsidyFacts,
  type InterestSubsidyPolicy,
  settlementYearEnded,
  settlementYearPeriod,
  unusedWindowStart,
} from "../../../src/domain/interest/interest.rule";
import { parseMoney, toMoney } from "../../../src/domain/money/money";

const m = (on: string, amount: string): BalanceMovement => ({ on, amount: parseMoney(amount) });
const RATE = toMoney("0.015");

// Opened in spring 2026; 2,000.00 on the account before 1 July 2026; settlement year 2026 = 2026-07-01 .. 2027-06-30.
const YEAR_2026: BalanceMovement[] = [
  m("2026-05-10", "1000.00"),
  m("2026-06-10", "1000.00"),
  m("2026-07-10", "1000.00"), // deposit
  m("2026-08-10", "1000.00"), // deposit
  m("2026-10-15", "-1500.00"), // withdrawal
  m("2026-12-20", "1000.00"), // back-payment for 2026-09, counted from its paidOn
  m("2027-03-03", "216.35"), // deposit
  m("2027-07-05", "1000.00"), // after the year: does not count
];

describe("积数 over a settlement year", () => {
  test("sums the end-of-day balances of 365 days, each entry counted from its business date", () => {
    // Hand computation (days both ends included):
    //   2026-07-01..2026-07-09   9 days x 2,000.00 =  18,000.00
    //   2026-07-10..2026-08-09  31 days x 3,000.00 =  93,000.00   (Jul 22 + Aug 9)
    //   2026-08-10..2026-10-14  66 days x 4,000.00 = 264,000.00   (Aug 22 + Sep 30 + Oct 14)
    //   2026-10-15..2026-12-19  66 days x 2,500.00 = 165,000.00   (Oct 17 + Nov 30 + Dec 19)
    //   2026-12-20..2027-03-02  73 days x 3,500.00 = 255,500.00   (Dec 12 + Jan 31 + Feb 28 + Mar 2)
    //   2027-03-03..2027-06-30 120 days x 3,716.35 = 445,962.00   (Mar 29 + Apr 30 + May 31 + Jun 30)
    //   365 days                           积数 = 1,241,462.00
    const year = settlementYearPeriod(2026);
    expect(year).toEqual({ from: "2026-07-01", to: "2027-06-30" });
    expect(daysIn(year)).toBe(365);
    expect(accumulatedBalance(YEAR_2026, year).toFixed(2)).toBe("1241462.00");
  });

  test("credits 积数 x 1.5 % / 360 half-up to the fen", () => {
    // 1,241,462.00 x 0.015 / 360 = 18,621.93 / 360 = 51.727583... -> 51.73
    expect(interestOn(parseMoney("1241462.00"), RATE).toFixed(2)).toBe("51.73");
    // 120.00 x 0.015 / 360 = 0.005 exactly -> half-up 0.01; 119.99 -> 0.00499958 -> 0.00
    expect(interestOn(parseMoney("120.00"), RATE).toFixed(2)).toBe("0.01");
    expect(interestOn(parseMoney("119.99"), RATE).toFixed(2)).toBe("0.00");
  });

  test("counts 366 days in the leap settlement year 2027-07 .. 2028-06", () => {
    const leap = settlementYearPeriod(2027);
    expect(leap).toEqual({ from: "2027-07-01", to: "2028-06-30" });
    expect(daysIn(leap)).toBe(366);
    // 10,000.00 all year: 366 x 10,000.00 = 3,660,000.00; x 0.015 / 360 = 54,900 / 360 = 152.50
    const flat = [m("2026-01-05", "10000.00")];
    expect(accumulatedBalance(flat, leap).toFixed(2)).toBe("3660000.00");
    expect(interestOn(accumulatedBalance(flat, leap), RATE).toFixed(2)).toBe("152.50");
    // The common year before: 365 x 10,000.00 = 3,650,000.00; 54,750 / 360 = 152.0833 -> 152.08
    expect(interestOn(accumulatedBalance(flat, settlementYearPeriod(2026)), RATE).toFixed(2)).toBe("152.08");
  });

  test("counts a deposit made on 30 June for that one day, and nothing made after it", () => {
    const lastDay = [m("2027-06-30", "3600.00"), m("2027-07-01", "500.00")];
    expect(accumulatedBalance(lastDay, settlementYearPeriod(2026)).toFixed(2)).toBe("3600.00");
  });
});

describe("exit interest 销户结息", () => {
  test("accrues from the last 1 July up to the day before the exit", () => {
    const period = exitInterestPeriod("2026-10-15");
    expect(period).toEqual({ from: "2026-07-01", to: "2026-10-14" });
    // 2026-07-01..07-09: 9 x 2,000.00 = 18,000.00; 2026-07-10..10-14: 97 x 3,000.00 = 291,000.00 (Jul 22 + Aug 31 + Sep 30 + Oct 14)
    // 积数 309,000.00 x 0.015 / 360 = 4,635 / 360 = 12.875 -> 12.88
    const accumulated = accumulatedBalance(YEAR_2026.slice(0, 3), period!);
    expect(accumulated.toFixed(2)).toBe("309000.00");
    expect(interestOn(accumulated, RATE).toFixed(2)).toBe("12.88");
  });

  test("has nothing to accrue for an exit on 1 July, and accrues 30 June for an exit on 1 July's eve + 1", () => {
    expect(exitInterestPeriod("2026-07-01")).toBeNull();
    expect(exitInterestPeriod("2026-07-02")).toEqual({ from: "2026-07-01", to: "2026-07-01" });
    expect(exitInterestPeriod("2026-03-01")).toEqual({ from: "2025-07-01", to: "2026-02-28" });
  });
});

describe("year ended", () => {
  test("a settlement year ends once its 30 June has passed", () => {
    expect(settlementYearEnded(2026, "2027-06-30")).toBe(false);
    expect(settlementYearEnded(2026, "2027-07-01")).toBe(true);
    expect(settlementYearEnded(2027, "2027-12-31")).toBe(false);
  });
});

describe("interest subsidy 利息补贴", () => {
  const POLICY: InterestSubsidyPolicy = {
    annualRate: toMoney("0.01"),
    minUnusedMonths: 12,
    capPerPerson: parseMoney("10000.00"),
  };
  const facts = (overrides: Partial<InterestSubsidyFacts> = {}): InterestSubsidyFacts => ({
    settlementYear: 2026,
    openedOn: "2026-03-10",
    useDates: [],
    loanDuringYear: false,
    receivedBefore: parseMoney("0.00"),
    ...overrides,
  });
  // 1,241,462.00 x 0.01 / 360 = 12,414.62 / 360 = 34.485055... -> 34.49
  const ACCUMULATED = parseMoney("1241462.00");

  test("pays the subsidy rate on the same 积数 to an account unused for the whole year", () => {
    expect(decideInterestSubsidy(ACCUMULATED, facts(), POLICY)).toEqual({
      eligible: true,
      amount: parseMoney("34.49"),
      capped: false,
    });
  });

  test("the unused window of 12 months starts on the year's 1 July", () => {
    expect(unusedWindowStart(2026, 12)).toBe("2026-07-01");
    expect(unusedWindowStart(2026, 18)).toBe("2026-01-01");
  });

  test("refuses an account that withdrew during the year, but not one that withdrew before or after it", () => {
    expect(decideInterestSubsidy(ACCUMULATED, facts({ useDates: ["2026-10-15"] }), POLICY)).toEqual({
      eligible: false,
      reason: "DEPOSITS_USED",
    });
    expect(decideInterestSubsidy(ACCUMULATED, facts({ useDates: ["2026-06-30", "2027-07-01"] }), POLICY)).toMatchObject(
      {
        eligible: true,
      },
    );
  });

  test("refuses an account opened after the year's 1 July, and one with a loan during the year", () => {
    expect(decideInterestSubsidy(ACCUMULATED, facts({ openedOn: "2026-07-02" }), POLICY)).toEqual({
      eligible: false,
      reason: "OPENED_DURING_YEAR",
    });
    expect(decideInterestSubsidy(ACCUMULATED, facts({ openedOn: "2026-07-01" }), POLICY)).toMatchObject({
      eligible: true,
    });
    expect(decideInterestSubsidy(ACCUMULATED, facts({ loanDuringYear: true }), POLICY)).toEqual({
      eligible: false,
      reason: "LOAN_OUTSTANDING",
    });
  });

  test("caps the subsidy cumulatively per person at 10,000.00", () => {
    expect(decideInterestSubsidy(ACCUMULATED, facts({ receivedBefore: parseMoney("9990.00") }), POLICY)).toEqual({
      eligible: true,
      amount: parseMoney("10.00"),
      capped: true,
    });
    expect(decideInterestSubsidy(ACCUMULATED, facts({ receivedBefore: parseMoney("9965.51") }), POLICY)).toEqual({
      eligible: true,
      amount: parseMoney("34.49"),
      capped: false,
    });
    expect(decideInterestSubsidy(ACCUMULATED, facts({ receivedBefore: parseMoney("10000.00") }), POLICY)).toEqual({
      eligible: false,
      reason: "CAP_REACHED",
    });
  });
});
