import {
  originalRetirementAgeProblem,
  retirementAgeMonths,
  type RetirementRule,
  retirementRuleFor,
} from "../../../src/domain/accounts/retirement-age.rule";

const MEN: RetirementRule = {
  baseAgeMonths: 720,
  targetAgeMonths: 756,
  reformStartBirthMonth: "1965-01",
  stepBirthMonths: 4,
};
const WOMEN: RetirementRule = {
  baseAgeMonths: 660,
  targetAgeMonths: 696,
  reformStartBirthMonth: "1970-01",
  stepBirthMonths: 4,
};

const WOMEN_50: RetirementRule = {
  baseAgeMonths: 600,
  targetAgeMonths: 660,
  reformStartBirthMonth: "1975-01",
  stepBirthMonths: 2,
};

describe("retirementAgeMonths for men (60 rising to 63)", () => {
  it.each([
    ["1950-06-01", 720],
    ["1964-12-31", 720],
    ["1965-01-01", 721],
    ["1965-04-30", 721],
    ["1965-05-01", 722],
    ["1965-08-31", 722],
    ["1965-09-01", 723],
    ["1976-08-31", 755],
    ["1976-09-01", 756],
    ["1976-12-15", 756],
    ["1995-01-01", 756],
  ])("a man born %s retires at %i months of age", (birthDate, months) => {
    expect(retirementAgeMonths(birthDate, MEN)).toBe(months);
  });
});

describe("retirementAgeMonths for women flexible workers (55 rising to 58)", () => {
  it.each([
    ["1969-12-31", 660],
    ["1970-01-01", 661],
    ["1970-04-30", 661],
    ["1970-05-01", 662],
    ["1981-08-31", 695],
    ["1981-09-01", 696],
    ["2000-02-29", 696],
  ])("a woman born %s retires at %i months of age", (birthDate, months) => {
    expect(retirementAgeMonths(birthDate, WOMEN)).toBe(months);
  });
});

describe("retirementAgeMonths parameters", () => {
  it("follows a different step length from the rule, not a constant", () => {
    const monthly = { ...MEN, stepBirthMonths: 1 };
    expect(retirementAgeMonths("1965-01-10", monthly)).toBe(721);
    expect(retirementAgeMonths("1965-02-10", monthly)).toBe(722);
    expect(retirementAgeMonths("1970-01-10", monthly)).toBe(756);
  });

  it("refuses a step that is not a positive integer", () => {
    expect(() => retirementAgeMonths("1970-01-01", { ...MEN, stepBirthMonths: 0 })).toThrow(RangeError);
  });
});

describe("retirementAgeMonths for women whose original retirement age is 50 (50 rising to 55)", () => {
  it.each([
    ["1974-12-31", 600], // before the reform: 50
    ["1975-01-01", 601], // first cohort: +1 month
    ["1975-02-28", 601],
    ["1975-03-01", 602], // one month more every 2 months of birth
    ["1975-06-20", 603], // index 5: 5 / 2 = 2, + 1 = 3 months: 50 years 3 months
    ["1976-03-10", 608], // index 14: 7 + 1 = 8
    ["1984-10-31", 659], // index 117: 58 + 1 = 59
    ["1984-11-01", 660], // index 118: 59 + 1 = 60 months: 55
    ["1995-01-01", 660],
  ])("a woman born %s retires at %i months of age", (birthDate, months) => {
    expect(retirementAgeMonths(birthDate, WOMEN_50)).toBe(months);
  });
});

describe("the track a person's retirement age follows", () => {
  const rules = { male: MEN, female: WOMEN, female50: WOMEN_50 };

  it("is the men's track for a man, the 55 track for a woman unless 50 is recorded", () => {
    expect(retirementRuleFor("M", null, rules)).toBe(MEN);
    expect(retirementRuleFor("F", null, rules)).toBe(WOMEN);
    expect(retirementRuleFor("F", 55, rules)).toBe(WOMEN);
    expect(retirementRuleFor("F", 50, rules)).toBe(WOMEN_50);
  });

  it("accepts 55 or 50 for a woman and nothing for a man", () => {
    expect(originalRetirementAgeProblem("F", 55)).toEqual([]);
    expect(originalRetirementAgeProblem("F", 50)).toEqual([]);
    expect(originalRetirementAgeProblem("F", null)).toEqual([]);
    expect(originalRetirementAgeProblem("M", null)).toEqual([]);
    for (const [sex, age] of [
      ["F", 60],
      ["F", 52],
      ["M", 60],
      ["M", 50],
    ] as const)
      expect(originalRetirementAgeProblem(sex, age).map((v) => [v.code, v.field])).toEqual([
        ["INVALID_ORIGINAL_RETIREMENT_AGE", "originalRetirementAge"],
      ]);
  });
});
