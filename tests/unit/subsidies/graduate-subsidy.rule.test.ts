import { parseMoney, toMoney } from "../../../src/domain/money/money";
import {
  decideGraduateSubsidy,
  type GraduateSubsidyFacts,
  type GraduateSubsidyPolicy,
  graduationDatesQualifyingFor,
  graduationWindow,
  lateClaimWindow,
  qualifyingEducations,
  subsidyAmount,
} from "../../../src/domain/subsidies/graduate-subsidy.rule";

const POLICY: GraduateSubsidyPolicy = {
  withinYears: 5,
  rate: toMoney("0.5"),
  monthlyCap: parseMoney("200.00"),
  maxMonths: 36,
  minEducation: "VOCATIONAL",
};

function facts(overrides: Partial<GraduateSubsidyFacts> = {}): GraduateSubsidyFacts {
  return {
    education: "BACHELOR",
    graduationDate: "2024-06-30",
    period: "2026-11",
    deposit: parseMoney("300.00"),
    subsidisedMonths: 0,
    ...overrides,
  };
}

const amountOf = (f: GraduateSubsidyFacts, policy = POLICY): string | null => {
  const decision = decideGraduateSubsidy(f, policy);
  return decision.eligible ? decision.amount.toFixed(2) : null;
};
const reasonOf = (f: GraduateSubsidyFacts): string | null => {
  const decision = decideGraduateSubsidy(f, POLICY);
  return decision.eligible ? null : decision.reason;
};

describe("graduate subsidy amount", () => {
  it.each([
    ["300.00", "150.00"],
    ["1000.00", "200.00"],
    ["400.00", "200.00"],
    ["400.02", "200.00"],
    ["399.98", "199.99"],
    ["216.00", "108.00"],
    ["216.01", "108.01"],
    ["216.03", "108.02"],
  ])("subsidises a deposit of %s with %s", (deposit, expected) => {
    expect(amountOf(facts({ deposit: parseMoney(deposit) }))).toBe(expected);
  });

  it("rounds half a fen up", () => {
    expect(subsidyAmount(parseMoney("300.01"), POLICY).toFixed(2)).toBe("150.01");
    expect(subsidyAmount(parseMoney("300.03"), POLICY).toFixed(2)).toBe("150.02");
  });

  it("takes the rate and the cap from the policy in force", () => {
    const policy = { ...POLICY, rate: toMoney("0.4"), monthlyCap: parseMoney("100.00") };
    expect(amountOf(facts({ deposit: parseMoney("200.00") }), policy)).toBe("80.00");
    expect(amountOf(facts({ deposit: parseMoney("300.00") }), policy)).toBe("100.00");
  });
});

describe("graduate subsidy education", () => {
  it.each(["VOCATIONAL", "BACHELOR", "MASTER", "DOCTOR"])("qualifies a graduate with education %s", (education) => {
    expect(amountOf(facts({ education }))).toBe("150.00");
  });

  it.each([["NONE"], [null], ["PRIMARY"]])("refuses education %s", (education) => {
    expect(reasonOf(facts({ education }))).toBe("EDUCATION_BELOW_MINIMUM");
  });

  it("raises the minimum education when the policy does", () => {
    expect(qualifyingEducations({ minEducation: "MASTER" })).toEqual(["MASTER", "DOCTOR"]);
    expect(decideGraduateSubsidy(facts({ education: "BACHELOR" }), { ...POLICY, minEducation: "MASTER" })).toEqual({
      eligible: false,
      reason: "EDUCATION_BELOW_MINIMUM",
    });
  });

  it("refuses a degree without a graduation date", () => {
    expect(reasonOf(facts({ graduationDate: null }))).toBe("NO_GRADUATION_DATE");
  });
});

describe("graduate subsidy window", () => {
  it("runs from the month of graduation to the same month five years later, both included", () => {
    expect(graduationWindow("2021-08-15", POLICY)).toEqual({ first: "2021-08", last: "2026-08" });
  });

  it("qualifies the last month of the window", () => {
    expect(amountOf(facts({ graduationDate: "2021-08-15", period: "2026-08" }))).toBe("150.00");
    expect(amountOf(facts({ graduationDate: "2021-08-31", period: "2026-08" }))).toBe("150.00");
  });

  it("refuses the first month after the window", () => {
    expect(reasonOf(facts({ graduationDate: "2021-08-01", period: "2026-09" }))).toBe("GRADUATED_TOO_LONG_AGO");
    expect(reasonOf(facts({ graduationDate: "2021-07-31", period: "2026-08" }))).toBe("GRADUATED_TOO_LONG_AGO");
  });

  it("qualifies the month of graduation and refuses the month before it", () => {
    expect(amountOf(facts({ graduationDate: "2026-06-30", period: "2026-06" }))).toBe("150.00");
    expect(reasonOf(facts({ graduationDate: "2026-06-01", period: "2026-05" }))).toBe("NOT_YET_GRADUATED");
  });

  it("follows a longer window when the policy sets one", () => {
    expect(amountOf(facts({ graduationDate: "2021-07-31", period: "2026-08" }), { ...POLICY, withinYears: 6 })).toBe(
      "150.00",
    );
  });

  it("gives the range of graduation dates that qualify for a month", () => {
    expect(graduationDatesQualifyingFor("2026-08", POLICY)).toEqual({ from: "2021-08-01", before: "2026-09-01" });
    expect(graduationDatesQualifyingFor("2026-12", POLICY)).toEqual({ from: "2021-12-01", before: "2027-01-01" });
  });
});

describe("graduate subsidy month limit", () => {
  it("subsidises the 36th month", () => {
    expect(amountOf(facts({ subsidisedMonths: 35 }))).toBe("150.00");
  });

  it("refuses a 37th month", () => {
    expect(reasonOf(facts({ subsidisedMonths: 36 }))).toBe("MONTHS_EXHAUSTED");
  });

  it("follows the month limit of the policy", () => {
    expect(decideGraduateSubsidy(facts({ subsidisedMonths: 12 }), { ...POLICY, maxMonths: 12 })).toEqual({
      eligible: false,
      reason: "MONTHS_EXHAUSTED",
    });
  });
});

describe("lateClaimWindow", () => {
  it("is the month run and the 12 before it, so the July run still finds a June back payment of the July before", () => {
    const window = lateClaimWindow("2027-07");
    expect(window).toHaveLength(13);
    expect(window[0]).toBe("2026-07"); // first month of settlement year 2026, back-payable until 2027-06-30
    expect(window.at(-1)).toBe("2027-07");
    expect(lateClaimWindow("2027-03").slice(0, 2)).toEqual(["2026-03", "2026-04"]);
  });
});
