import { monthRange } from "../../../src/domain/calendar/calendar";
import {
  type HousingAccountFacts,
  type HousingParameters,
  rentalEligibility,
} from "../../../src/domain/housing/rental-eligibility.rule";

const PARAMS: HousingParameters = {
  priorityMinConsecutiveMonths: 6,
  depositWaiverMinConsecutiveMonths: 12,
  noUnpaidInLastMonths: 3,
};

/** Months paid on their deposit day (the 10th by default). */
const monthly = (from: string, to: string, day = "10") =>
  monthRange(from, to).map((period) => ({ period, paidOn: `${period}-${day}` }));

function account(
  paidMonths: HousingAccountFacts["paidMonths"],
  overrides: Partial<HousingAccountFacts> = {},
): HousingAccountFacts {
  return {
    kind: "FLEXIBLE",
    status: "ACTIVE",
    openedOn: "2025-01-05",
    depositDay: 10,
    paidMonths,
    bans: [],
    ...overrides,
  };
}

const ELIGIBLE = { priorityEligible: true, depositWaiverEligible: true, reasons: [] };
const BELOW_BOTH = ["CONSECUTIVE_MONTHS_BELOW_PRIORITY", "CONSECUTIVE_MONTHS_BELOW_WAIVER"];

describe("the rental eligibility rule", () => {
  it("makes a worker with twelve consecutive paid months eligible for both", () => {
    expect(rentalEligibility(account(monthly("2025-08", "2026-07")), "2026-07-20", PARAMS)).toEqual({
      ...ELIGIBLE,
      consecutiveMonths: 12,
    });
  });

  it("refuses both under a fraud ban of any kind in force on asOf, and grants them on the ban's until", () => {
    // Twelve consecutive months as in the first case; a loan-fraud ban decided 2021-07-20, until 2026-07-20.
    const bans = [{ kind: "LOAN_FRAUD", decidedOn: "2021-07-20", until: "2026-07-20" }];
    const facts = account(monthly("2025-08", "2026-07"), { bans });
    expect(rentalEligibility(facts, "2026-07-19", PARAMS)).toEqual({
      priorityEligible: false,
      depositWaiverEligible: false,
      consecutiveMonths: 12,
      reasons: ["FRAUD_BAN"],
    });
    expect(rentalEligibility(facts, "2026-07-20", PARAMS)).toEqual({ ...ELIGIBLE, consecutiveMonths: 12 });
  });

  it("starts from the month before while the deposit day of an unpaid month is still to come", () => {
    const facts = account(monthly("2025-07", "2026-06"));
    expect(rentalEligibility(facts, "2026-07-05", PARAMS)).toEqual({ ...ELIGIBLE, consecutiveMonths: 12 });
    expect(rentalEligibility(facts, "2026-07-10", PARAMS)).toEqual({ ...ELIGIBLE, consecutiveMonths: 12 });
  });

  it("stops at an unpaid month whose deposit day has passed", () => {
    expect(rentalEligibility(account(monthly("2025-07", "2026-06")), "2026-07-11", PARAMS)).toEqual({
      priorityEligible: false,
      depositWaiverEligible: false,
      consecutiveMonths: 0,
      reasons: [...BELOW_BOTH, "UNPAID_IN_RECENT_MONTHS"],
    });
  });

  it("counts a paid month of asOf even before its deposit day", () => {
    const early = [...monthly("2025-08", "2026-06"), { period: "2026-07", paidOn: "2026-07-02" }];
    expect(rentalEligibility(account(early), "2026-07-03", PARAMS)).toEqual({ ...ELIGIBLE, consecutiveMonths: 12 });
  });

  it("counts only the run after a gap", () => {
    const gap = [...monthly("2025-07", "2025-12"), ...monthly("2026-02", "2026-07")];
    expect(rentalEligibility(account(gap), "2026-07-20", PARAMS)).toEqual({
      priorityEligible: true,
      depositWaiverEligible: false,
      consecutiveMonths: 6,
      reasons: ["CONSECUTIVE_MONTHS_BELOW_WAIVER"],
    });
  });

  it("refuses both for an unpaid month among the last three", () => {
    const gap = [...monthly("2025-01", "2026-04"), ...monthly("2026-06", "2026-07")];
    expect(rentalEligibility(account(gap), "2026-07-20", PARAMS)).toEqual({
      priorityEligible: false,
      depositWaiverEligible: false,
      consecutiveMonths: 2,
      reasons: [...BELOW_BOTH, "UNPAID_IN_RECENT_MONTHS"],
    });
  });

  it("counts a run across the turn of the year", () => {
    expect(rentalEligibility(account(monthly("2025-10", "2026-03")), "2026-03-31", PARAMS).consecutiveMonths).toBe(6);
  });

  it("counts lump-sum months only up to the month of asOf", () => {
    const lump = monthRange("2026-07", "2027-06").map((period) => ({ period, paidOn: "2026-07-10" }));
    const facts = account(lump, { openedOn: "2026-07-01" });
    expect(rentalEligibility(facts, "2026-09-15", PARAMS)).toEqual({
      priorityEligible: false,
      depositWaiverEligible: false,
      consecutiveMonths: 3,
      reasons: BELOW_BOTH,
    });
    expect(rentalEligibility(facts, "2027-01-01", PARAMS)).toEqual({
      priorityEligible: true,
      depositWaiverEligible: false,
      consecutiveMonths: 7,
      reasons: ["CONSECUTIVE_MONTHS_BELOW_WAIVER"],
    });
    expect(rentalEligibility(facts, "2027-06-30", PARAMS)).toEqual({ ...ELIGIBLE, consecutiveMonths: 12 });
  });

  it("does not count a payment made after asOf", () => {
    const late = [...monthly("2025-07", "2026-06"), { period: "2026-07", paidOn: "2026-07-25" }];
    expect(rentalEligibility(account(late), "2026-07-20", PARAMS).consecutiveMonths).toBe(0);
    expect(rentalEligibility(account(late), "2026-07-25", PARAMS)).toEqual({ ...ELIGIBLE, consecutiveMonths: 13 });
  });

  it("refuses a closed account and an employer-based account whatever they paid", () => {
    const months = monthly("2025-07", "2026-07");
    expect(rentalEligibility(account(months, { status: "CLOSED" }), "2026-07-20", PARAMS)).toEqual({
      priorityEligible: false,
      depositWaiverEligible: false,
      consecutiveMonths: 13,
      reasons: ["ACCOUNT_NOT_ACTIVE"],
    });
    expect(rentalEligibility(account(months, { kind: "EMPLOYER" }), "2026-07-20", PARAMS).reasons).toEqual([
      "NOT_FLEXIBLE",
    ]);
  });

  it("answers an unknown person like anyone not eligible", () => {
    const unknown = {
      priorityEligible: false,
      depositWaiverEligible: false,
      consecutiveMonths: 0,
      reasons: ["NOT_ENROLLED", ...BELOW_BOTH],
    };
    expect(rentalEligibility(null, "2026-07-20", PARAMS)).toEqual(unknown);
    expect(
      rentalEligibility(account(monthly("2026-08", "2026-09"), { openedOn: "2026-08-01" }), "2026-07-20", PARAMS),
    ).toEqual(unknown);
  });

  it("does not call months before the opening unpaid", () => {
    const facts = account(monthly("2026-06", "2026-07"), { openedOn: "2026-06-03" });
    expect(rentalEligibility(facts, "2026-07-20", PARAMS)).toEqual({
      priorityEligible: false,
      depositWaiverEligible: false,
      consecutiveMonths: 2,
      reasons: BELOW_BOTH,
    });
  });

  it("follows the parameters it is given", () => {
    const facts = account(monthly("2026-03", "2026-07"));
    expect(
      rentalEligibility(facts, "2026-07-20", { ...PARAMS, priorityMinConsecutiveMonths: 5 }).priorityEligible,
    ).toBe(true);
    expect(rentalEligibility(facts, "2026-07-20", PARAMS).priorityEligible).toBe(false);
  });

  it("continues the run with months carried from a transfer in, as the account's figures do", () => {
    // Opened 2026-07-05 on a transfer: 27 months to 2026-06, the last 6 continuous; 2026-07 .. 2026-09 paid here.
    const carried = [{ paidMonths: 27, paidUpTo: "2026-06", continuousMonths: 6 }];
    const facts = account(monthly("2026-07", "2026-09"), { openedOn: "2026-07-05", carried });
    const priorityOnly = { priorityEligible: true, depositWaiverEligible: false };
    expect(rentalEligibility(facts, "2026-09-20", PARAMS)).toEqual({
      ...priorityOnly,
      consecutiveMonths: 9, // 3 + 6
      reasons: ["CONSECUTIVE_MONTHS_BELOW_WAIVER"],
    });
    // 2026-07-06: counted from 2026-06 (July's day 10 is to come): 0 here + 6 carried.
    expect(rentalEligibility(facts, "2026-07-06", PARAMS).consecutiveMonths).toBe(6);
    // A gap here breaks the run before it reaches the carried months: 2026-10 unpaid as of 2026-10-11.
    expect(rentalEligibility(facts, "2026-10-11", PARAMS).consecutiveMonths).toBe(0);
    // Six more months here reach the waiver: 2026-07 .. 2026-12 + 6 = 12.
    const longer = account(monthly("2026-07", "2026-12"), { openedOn: "2026-07-05", carried });
    expect(rentalEligibility(longer, "2027-01-05", PARAMS)).toEqual({ ...ELIGIBLE, consecutiveMonths: 12 });
  });
});
