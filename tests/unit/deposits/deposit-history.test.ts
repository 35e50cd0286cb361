import { depositHistory } from "../../../src/domain/deposits/deposit-history";

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
