import {
  addMonths,
  ageInMonthsOn,
  compareDates,
  dayOfMonth,
  firstDayOfMonth,
  isValidDate,
  isValidMonth,
  monthOf,
  monthRange,
  monthsBetween,
  settlementYearMonths,
  settlementYearOf,
} from "../../../src/domain/calendar/calendar";

describe("isValidDate", () => {
  it.each(["2026-01-01", "2026-12-31", "2024-02-29", "2000-02-29", "2026-04-30"])("accepts %s", (s) => {
    expect(isValidDate(s)).toBe(true);
  });

  it.each([
    ["29 February of a common year", "2026-02-29"],
    ["29 February of a century that is not a leap year", "1900-02-29"],
    ["31 April", "2026-04-31"],
    ["day zero", "2026-01-00"],
    ["month thirteen", "2026-13-01"],
    ["month zero", "2026-00-10"],
    ["single-digit parts", "2026-1-1"],
    ["slashes", "2026/01/01"],
    ["a time part", "2026-01-01T00:00"],
    ["a month only", "2026-01"],
    ["year zero", "0000-01-01"],
    ["an empty string", ""],
  ])("refuses %s", (_label, s) => {
    expect(isValidDate(s)).toBe(false);
  });
});

describe("isValidMonth", () => {
  it.each(["2026-01", "2026-12"])("accepts %s", (s) => {
    expect(isValidMonth(s)).toBe(true);
  });

  it.each(["2026-00", "2026-13", "2026-1", "2026-01-01", "202601", ""])("refuses %s", (s) => {
    expect(isValidMonth(s)).toBe(false);
  });
});

describe("date and month parsing (character by character since decision 027)", () => {
  // The regular expressions and range checks the parser had before: it must accept exactly the same strings.
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const lastDay = (y: number, m: number) => (m === 2 ? (leap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
  const monthBefore = (s: string) => {
    const m = /^(\d{4})-(\d{2})$/.exec(s);
    return m !== null && Number(m[1]) >= 1 && Number(m[2]) >= 1 && Number(m[2]) <= 12;
  };
  const dateBefore = (s: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m || !monthBefore(`${m[1]}-${m[2]}`)) return false;
    return Number(m[3]) >= 1 && Number(m[3]) <= lastDay(Number(m[1]), Number(m[2]));
  };

  it.each([
    ["fullwidth digits", "２０２６-01-01"],
    ["Arabic-Indic digits", "٢٠٢٦-01-01"],
    ["a trailing newline", "2026-01-01\n"],
    ["a leading space", " 2026-01-01"],
    ["a sign", "+026-01-01"],
    ["a dash for a digit", "2026--1-01"],
    ["a colon (the character after 9)", "2026-0:-01"],
    ["a slash (the character before 0)", "2026-/1-01"],
  ])("refuses %s, as the regular expression did", (_label, s) => {
    expect(isValidDate(s)).toBe(false);
    expect(dateBefore(s)).toBe(false);
  });

  it("accepts exactly the dates and months the regular expressions accepted, over every day of 1899-2101", () => {
    const differ: string[] = [];
    const p2 = (n: number) => String(n).padStart(2, "0");
    for (let y = 1899; y <= 2101; y++)
      for (let m = 0; m <= 13; m++) {
        const month = `${y}-${p2(m)}`;
        if (isValidMonth(month) !== monthBefore(month)) differ.push(month);
        for (let d = 0; d <= 32; d++) {
          const date = `${month}-${p2(d)}`;
          if (isValidDate(date) !== dateBefore(date)) differ.push(date);
        }
      }
    for (const odd of ["0000-01", "0001-01", "9999-12", "0001-01-01", "9999-12-31", "0000-02-29", "2026-1", "202601"])
      if (isValidMonth(odd) !== monthBefore(odd) || isValidDate(odd) !== dateBefore(odd)) differ.push(odd);
    expect(differ).toEqual([]);
  });

  it("compares dates and counts months as before", () => {
    expect(compareDates("2024-02-29", "2024-03-01")).toBe(-1);
    expect(compareDates("2024-12-31", "2024-12-31")).toBe(0);
    expect(compareDates("2025-01-01", "2024-12-31")).toBe(1);
    expect(monthsBetween("2023-07", "2024-06")).toBe(11);
    expect(() => compareDates("2024-02-30", "2024-03-01")).toThrow(RangeError);
    expect(() => monthsBetween("2024-7", "2024-06")).toThrow(RangeError);
  });
});

describe("month arithmetic", () => {
  it("takes the month of a date", () => {
    expect(monthOf("2026-07-01")).toBe("2026-07");
  });

  it("adds months across year ends in both directions", () => {
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(addMonths("2027-01", -1)).toBe("2026-12");
    expect(addMonths("2026-07", 11)).toBe("2027-06");
    expect(addMonths("2026-03", -27)).toBe("2023-12");
    expect(addMonths("2026-03", 0)).toBe("2026-03");
  });

  it("refuses a fractional month offset", () => {
    expect(() => addMonths("2026-03", 1.5)).toThrow(RangeError);
  });

  it("counts months between two months, negative when the second is earlier", () => {
    expect(monthsBetween("2026-07", "2027-06")).toBe(11);
    expect(monthsBetween("2027-06", "2026-07")).toBe(-11);
    expect(monthsBetween("2026-07", "2026-07")).toBe(0);
  });

  it("lists an inclusive range of months", () => {
    expect(monthRange("2026-11", "2027-02")).toEqual(["2026-11", "2026-12", "2027-01", "2027-02"]);
    expect(monthRange("2026-11", "2026-11")).toEqual(["2026-11"]);
  });

  it("lists no months when the range is reversed", () => {
    expect(monthRange("2026-12", "2026-11")).toEqual([]);
  });

  it("throws on a malformed month or date instead of guessing", () => {
    expect(() => monthOf("2026-02-30")).toThrow(RangeError);
    expect(() => monthsBetween("2026-13", "2026-01")).toThrow(RangeError);
    expect(() => firstDayOfMonth("2026-1")).toThrow(RangeError);
  });
});

describe("settlement year", () => {
  it.each([
    ["2026-06-30", 2025],
    ["2026-07-01", 2026],
    ["2026-06", 2025],
    ["2026-07", 2026],
    ["2026-12-31", 2026],
    ["2027-01-01", 2026],
    ["2027-03", 2026],
    ["2027-06-30", 2026],
    ["2027-07-01", 2027],
  ])("places %s in settlement year %i", (s, year) => {
    expect(settlementYearOf(s)).toBe(year);
  });

  it("lists the twelve months from July to the next June", () => {
    const months = settlementYearMonths(2026);
    expect(months).toHaveLength(12);
    expect(months[0]).toBe("2026-07");
    expect(months[5]).toBe("2026-12");
    expect(months[6]).toBe("2027-01");
    expect(months[11]).toBe("2027-06");
  });

  it("refuses a settlement year that is not an integer", () => {
    expect(() => settlementYearMonths(2026.5)).toThrow(RangeError);
  });
});

describe("ageInMonthsOn", () => {
  it("counts a month as completed on the birth day of the month", () => {
    expect(ageInMonthsOn("2010-03-15", "2026-03-15")).toBe(192);
    expect(ageInMonthsOn("2010-03-15", "2026-03-14")).toBe(191);
    expect(ageInMonthsOn("2010-03-15", "2026-04-14")).toBe(192);
    expect(ageInMonthsOn("2010-03-15", "2026-04-15")).toBe(193);
  });

  it("is zero on the day of birth", () => {
    expect(ageInMonthsOn("2026-03-15", "2026-03-15")).toBe(0);
  });

  it("uses the last day of a shorter month as the anniversary of someone born on the 31st", () => {
    expect(ageInMonthsOn("2026-01-31", "2026-02-27")).toBe(0);
    expect(ageInMonthsOn("2026-01-31", "2026-02-28")).toBe(1);
    expect(ageInMonthsOn("2026-01-31", "2026-04-29")).toBe(2);
    expect(ageInMonthsOn("2026-01-31", "2026-04-30")).toBe(3);
    expect(ageInMonthsOn("2026-01-31", "2026-05-30")).toBe(3);
    expect(ageInMonthsOn("2026-01-31", "2026-05-31")).toBe(4);
  });

  it("lets someone born on 29 February turn a year older on 28 February of a common year", () => {
    expect(ageInMonthsOn("2008-02-29", "2024-02-28")).toBe(191);
    expect(ageInMonthsOn("2008-02-29", "2024-02-29")).toBe(192);
    expect(ageInMonthsOn("2008-02-29", "2025-02-27")).toBe(203);
    expect(ageInMonthsOn("2008-02-29", "2025-02-28")).toBe(204);
  });

  it("is negative before birth", () => {
    expect(ageInMonthsOn("2026-03-15", "2026-03-14")).toBe(-1);
  });
});

describe("small date helpers", () => {
  it("compares dates as -1, 0 or 1", () => {
    expect(compareDates("2026-06-30", "2026-07-01")).toBe(-1);
    expect(compareDates("2026-07-01", "2026-07-01")).toBe(0);
    expect(compareDates("2027-01-01", "2026-12-31")).toBe(1);
    expect(compareDates("2026-07-02", "2026-07-01")).toBe(1);
  });

  it("reads the day of the month", () => {
    expect(dayOfMonth("2026-07-28")).toBe(28);
    expect(dayOfMonth("2026-07-01")).toBe(1);
  });

  it("gives the first day of a month", () => {
    expect(firstDayOfMonth("2027-02")).toBe("2027-02-01");
  });
});
