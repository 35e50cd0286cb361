import { retirementAgeMonths, type RetirementRule } from "../../../src/domain/accounts/retirement-age.rule";

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
