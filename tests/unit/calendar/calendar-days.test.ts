import {
  addDays,
  addMonthsToDate,
  dateOrdinal,
  daysBetween,
  monthOrdinal,
  settlementYearDates,
} from "../../../src/domain/calendar/calendar";

describe("day arithmetic", () => {
  test("counts days across month ends, leap days and centuries", () => {
    expect(daysBetween("2026-07-01", "2027-06-30")).toBe(364);
    expect(daysBetween("2027-07-01", "2028-06-30")).toBe(365);
    expect(daysBetween("2028-02-28", "2028-03-01")).toBe(2);
    expect(daysBetween("2100-02-28", "2100-03-01")).toBe(1);
    expect(daysBetween("2000-02-28", "2000-03-01")).toBe(2);
    expect(daysBetween("2026-10-15", "2026-07-01")).toBe(-106);
  });

  test("adds days", () => {
    expect(addDays("2026-07-01", -1)).toBe("2026-06-30");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  test("adds months to a date, on the month's last day when the day does not exist", () => {
    expect(addMonthsToDate("2026-11-10", 6)).toBe("2027-05-10");
    expect(addMonthsToDate("2026-08-31", 6)).toBe("2027-02-28");
    expect(addMonthsToDate("2027-07-01", -12)).toBe("2026-07-01");
  });

  test("names the first and last day of a settlement year", () => {
    expect(settlementYearDates(2027)).toEqual({ from: "2027-07-01", to: "2028-06-30" });
  });
});

describe("ordinals (a date or month parsed once, then compared as a number)", () => {
  test("order dates as the calendar does, a day apart per day", () => {
    expect(dateOrdinal("2024-02-29")).toBeLessThan(dateOrdinal("2024-03-01"));
    expect(dateOrdinal("2024-12-31")).toBeLessThan(dateOrdinal("2025-01-01"));
    expect(dateOrdinal("2025-01-01") - dateOrdinal("2024-12-31")).toBe(1);
    expect(dateOrdinal("2024-03-01") - dateOrdinal("2024-02-28")).toBe(2);
    expect(dateOrdinal("2100-03-01") - dateOrdinal("2100-02-28")).toBe(1);
    expect(dateOrdinal("2024-07-10")).toBe(dateOrdinal("2024-07-10"));
  });

  test("order months as the calendar does, one apart per month", () => {
    expect(monthOrdinal("2025-01") - monthOrdinal("2024-12")).toBe(1);
    expect(monthOrdinal("2024-12") - monthOrdinal("2024-01")).toBe(11);
    expect(monthOrdinal("2024-10")).toBeGreaterThan(monthOrdinal("2024-09"));
  });

  test.each(["2023-02-29", "2024-13-01", "20240101", "2024-1-01", ""])("refuse the date %p", (date) => {
    expect(() => dateOrdinal(date)).toThrow(RangeError);
  });

  test.each(["2024-00", "2024-13", "2024-1", "2024-01-01"])("refuse the month %p", (month) => {
    expect(() => monthOrdinal(month)).toThrow(RangeError);
  });
});
