import {
  carriedAsOf,
  consecutiveMonthsAsOf,
  depositHistory,
  type PaidMonth,
  stabilityAsOf,
} from "../../../src/domain/deposits/deposit-history";
import { rentalEligibility } from "../../../src/domain/housing/rental-eligibility.rule";

describe("depositHistory", () => {
  it("reports no history for no payments", () => {
    expect(depositHistory([], 0)).toEqual({ paidMonths: 0, consecutiveMonths: 0, paidUpTo: null });
  });

  it("counts transferred-in months toward duration but not continuity", () => {
    expect(depositHistory([], 14)).toEqual({ paidMonths: 14, consecutiveMonths: 0, paidUpTo: null });
    expect(depositHistory(["2026-07"], 14)).toEqual({ paidMonths: 15, consecutiveMonths: 1, paidUpTo: "2026-07" });
  });

  it("sorts unsorted months and counts a run across a year end", () => {
    expect(depositHistory(["2027-01", "2026-11", "2026-12"], 0)).toEqual({
      paidMonths: 3,
      consecutiveMonths: 3,
      paidUpTo: "2027-01",
    });
  });

  it("counts a duplicated month once", () => {
    expect(depositHistory(["2026-08", "2026-08", "2026-09", "2026-09"], 0)).toEqual({
      paidMonths: 2,
      consecutiveMonths: 2,
      paidUpTo: "2026-09",
    });
  });

  it("counts only the run ending at the latest paid month after a gap", () => {
    const history = depositHistory(["2026-01", "2026-02", "2026-03", "2026-05", "2026-06"], 0);
    expect(history).toEqual({ paidMonths: 5, consecutiveMonths: 2, paidUpTo: "2026-06" });
  });

  it("counts a run of one when the latest month stands alone", () => {
    expect(depositHistory(["2026-01", "2026-02", "2026-04"], 0).consecutiveMonths).toBe(1);
  });

  it("refuses a malformed month or a negative transferred-in count", () => {
    expect(() => depositHistory(["2026-13"], 0)).toThrow(RangeError);
    expect(() => depositHistory(["2026-01"], -1)).toThrow(RangeError);
  });
});

// Three monthly deposits, then on 2026-07-10 a lump sum paying 2026-07 .. 2027-06 ahead (12 months).
const MONTHLY: PaidMonth[] = [
  { period: "2026-04", paidOn: "2026-04-10" },
  { period: "2026-05", paidOn: "2026-05-10" },
  { period: "2026-06", paidOn: "2026-06-10" },
];
const LUMP_SUM: PaidMonth[] = [
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
].map((period) => ({ period, paidOn: "2026-07-10" }));
const PREPAID = [...MONTHLY, ...LUMP_SUM];
const HOUSING = { priorityMinConsecutiveMonths: 6, depositWaiverMinConsecutiveMonths: 12, noUnpaidInLastMonths: 3 };
const housingAsOf = (asOf: string) =>
  rentalEligibility(
    { kind: "FLEXIBLE", status: "ACTIVE", openedOn: "2026-04-01", depositDay: 10, paidMonths: PREPAID, bans: [] },
    asOf,
    HOUSING,
  ).consecutiveMonths;

describe("one deposit history for the account view and housing (months paid ahead)", () => {
  it("the account's figure counts every month paid, to the latest paid month", () => {
    expect(
      depositHistory(
        PREPAID.map((m) => m.period),
        0,
      ),
    ).toEqual({
      paidMonths: 15,
      consecutiveMonths: 15,
      paidUpTo: "2027-06",
    });
  });

  it("as of a date inside the prepaid year, months still in the future do not count (Apr..Sep = 6)", () => {
    expect(consecutiveMonthsAsOf(PREPAID, "2026-09-20", 10)).toBe(6);
    expect(housingAsOf("2026-09-20")).toBe(6);
  });

  it("the two agree once asOf has passed the months paid ahead", () => {
    expect(consecutiveMonthsAsOf(PREPAID, "2027-06-30", 10)).toBe(15);
    expect(housingAsOf("2027-06-30")).toBe(15);
    // 2027-07 is unpaid but its deposit day (10) has not passed on 2027-07-05: the run ends at 2027-06.
    expect(housingAsOf("2027-07-05")).toBe(15);
    // After the deposit day the unpaid month breaks the run.
    expect(housingAsOf("2027-07-11")).toBe(0);
  });

  it("a month paid after asOf does not count as of asOf", () => {
    const late: PaidMonth[] = [...MONTHLY, { period: "2026-07", paidOn: "2026-08-02" }];
    expect(consecutiveMonthsAsOf(late, "2026-07-31", 10)).toBe(0);
    expect(consecutiveMonthsAsOf(late, "2026-08-02", 10)).toBe(4);
  });
});

describe("stabilityAsOf (loan quota)", () => {
  const opened = "2026-03-15";
  // Paid 2026-03 .. 2026-12 except 2026-06.
  const months: PaidMonth[] = ["2026-03", "2026-04", "2026-05", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    .map((period) => ({ period, paidOn: `${period}-10` }))
    .concat([{ period: "2026-12", paidOn: "2027-01-25" }]);

  it("counts the 12 months before asOf's month, months before the opening as unpaid", () => {
    // asOf 2027-02-01: window 2026-02 .. 2027-01; 2026-02 is before the opening; 2026-06 and 2027-01 are unpaid.
    expect(stabilityAsOf(months, "2027-02-01", opened)).toEqual({ paid: 9, of: 12 });
  });

  it("does not count a month paid after asOf", () => {
    // asOf 2027-01-20: window 2026-01 .. 2026-12; 2026-12 was paid on 2027-01-25, after asOf.
    expect(stabilityAsOf(months, "2027-01-20", opened)).toEqual({ paid: 8, of: 12 });
  });

  it("is full when all of the window was paid", () => {
    expect(stabilityAsOf(PREPAID, "2027-04-01", "2026-04-01")).toEqual({ paid: 12, of: 12 });
  });
});

describe("carried runs (transfer in, pre-pilot history)", () => {
  const sixContinuous = { paidMonths: 27, paidUpTo: "2026-06", continuousMonths: 6 };

  it("count in duration; the paid-up-to month carries over when nothing is paid here yet", () => {
    expect(depositHistory([], 0, [sixContinuous])).toEqual({
      paidMonths: 27,
      consecutiveMonths: 6,
      paidUpTo: "2026-06",
    });
    expect(depositHistory([], 0, [{ ...sixContinuous, continuousMonths: 0 }])).toEqual({
      paidMonths: 27,
      consecutiveMonths: 0,
      paidUpTo: "2026-06",
    });
  });

  it("continue a run that starts right after their paid-up-to month, and only then", () => {
    expect(depositHistory(["2026-07", "2026-08"], 0, [sixContinuous])).toEqual({
      paidMonths: 29,
      consecutiveMonths: 8,
      paidUpTo: "2026-08",
    });
    // 2026-07 unpaid: the run here (2026-08) does not join the carried one.
    expect(depositHistory(["2026-08"], 0, [sixContinuous])).toEqual({
      paidMonths: 28,
      consecutiveMonths: 1,
      paidUpTo: "2026-08",
    });
  });
});

describe("carried months as of a date", () => {
  const carried = [{ paidMonths: 27, paidUpTo: "2026-06", continuousMonths: 6 }];
  const here = ["2026-07", "2026-08"].map((period) => ({ period, paidOn: `${period}-10` }));

  it("counts a carried run once its paid-up-to month is not after asOf's month", () => {
    expect(carriedAsOf(carried, "2026-06-30")).toEqual(carried);
    expect(carriedAsOf(carried, "2026-05-31")).toEqual([]);
  });

  it("continues the run as of a date as the account's figures do", () => {
    expect(consecutiveMonthsAsOf(here, "2026-08-20", 10, carried)).toBe(8); // 2 + 6
    expect(consecutiveMonthsAsOf(here, "2026-08-20", 10)).toBe(2);
    expect(consecutiveMonthsAsOf(here, "2026-07-05", 10, carried)).toBe(6); // from 2026-06: 0 + 6
    expect(depositHistory(["2026-07", "2026-08"], 0, carried)).toEqual({
      paidMonths: 29,
      consecutiveMonths: 8,
      paidUpTo: "2026-08",
    });
  });
});
