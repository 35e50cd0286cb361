import { checkEnrolment, type EnrolmentFacts, type EnrolmentPolicy } from "../../../src/domain/accounts/enrolment.rule";
import { makeIdNumber, type ParsedIdNumber, parseIdNumber } from "../../../src/domain/accounts/id-number";
import { parseMoney } from "../../../src/domain/money/money";

const POLICY_2026: EnrolmentPolicy = {
  minAgeMonths: 192,
  retirementMale: { baseAgeMonths: 720, targetAgeMonths: 756, reformStartBirthMonth: "1965-01", stepBirthMonths: 4 },
  retirementFemale: { baseAgeMonths: 660, targetAgeMonths: 696, reformStartBirthMonth: "1970-01", stepBirthMonths: 4 },
  retirementFemale50: {
    baseAgeMonths: 600,
    targetAgeMonths: 660,
    reformStartBirthMonth: "1975-01",
    stepBirthMonths: 2,
  },
  countyCodes: ["140502", "140521", "140522", "140524", "140525", "140581"],
  monthlyMin: parseMoney("216.00"),
  monthlyMax: parseMoney("5804.00"),
};

function person(birthDate: string, sex: "M" | "F"): ParsedIdNumber {
  const parsed = parseIdNumber(makeIdNumber("140521", birthDate, sex === "M" ? 1 : 2));
  if (!parsed.ok) throw new Error("test fixture built an invalid ID number");
  return parsed.value;
}

function facts(overrides: Partial<EnrolmentFacts> = {}): EnrolmentFacts {
  return {
    person: person("1990-03-07", "M"),
    countyCode: "140502",
    commitmentAccepted: true,
    enrolledOn: "2026-08-10",
    monthlyAmount: parseMoney("1000.00"),
    depositDay: 15,
    channel: "BANK_COLLECTION",
    bankAccount: "6222021234567890123",
    education: "NONE",
    graduationDate: null,
    ...overrides,
  };
}

function codes(f: EnrolmentFacts): string[] {
  return checkEnrolment(f, POLICY_2026).map((v) => v.code);
}

describe("checkEnrolment", () => {
  it("accepts a complete, valid enrolment", () => {
    expect(checkEnrolment(facts(), POLICY_2026)).toEqual([]);
    expect(checkEnrolment(facts({ education: "BACHELOR", graduationDate: "2024-06-30" }), POLICY_2026)).toEqual([]);
  });

  it("reports every violation at once, each with its field", () => {
    const violations = checkEnrolment(
      facts({
        countyCode: "110105",
        commitmentAccepted: false,
        monthlyAmount: parseMoney("100.00"),
        depositDay: 31,
        bankAccount: null,
        graduationDate: "2027-01-01",
      }),
      POLICY_2026,
    );
    expect(violations.map(({ code, field }) => ({ code, field }))).toEqual([
      { code: "COUNTY_NOT_IN_JINCHENG", field: "countyCode" },
      { code: "COMMITMENT_REQUIRED", field: "commitmentAccepted" },
      { code: "AMOUNT_BELOW_MINIMUM", field: "monthlyAmount" },
      { code: "INVALID_DEPOSIT_DAY", field: "depositDay" },
      { code: "BANK_ACCOUNT_REQUIRED", field: "bankAccount" },
      { code: "GRADUATION_DATE_IN_FUTURE", field: "graduationDate" },
    ]);
    violations.forEach((v) => expect(v.message).toMatch(/[\u4e00-\u9fff]/));
  });
});

describe("checkEnrolment: working age", () => {
  it("accepts someone who turns 16 on the enrolment date", () => {
    expect(codes(facts({ person: person("2010-08-10", "F"), enrolledOn: "2026-08-10" }))).toEqual([]);
  });

  it("refuses someone who turns 16 the day after enrolment, in Chinese for staff", () => {
    const violations = checkEnrolment(
      facts({ person: person("2010-08-10", "F"), enrolledOn: "2026-08-09" }),
      POLICY_2026,
    );
    expect(violations).toEqual([
      { code: "BELOW_WORKING_AGE", field: "idNumber", message: "年龄未满法定就业年龄（16周岁）" },
    ]);
  });

  it("accepts someone born on 29 February on their leap-day 16th birthday, not the day before", () => {
    expect(codes(facts({ person: person("2008-02-29", "M"), enrolledOn: "2024-02-29" }))).toEqual([]);
    expect(codes(facts({ person: person("2008-02-29", "M"), enrolledOn: "2024-02-28" }))).toEqual([
      "BELOW_WORKING_AGE",
    ]);
  });

  it("lets someone born on 29 February turn 16 on 28 February when the minimum age falls in a common year", () => {
    const policy = { ...POLICY_2026, minAgeMonths: 204 };
    const young = facts({ person: person("2008-02-29", "M") });
    expect(checkEnrolment({ ...young, enrolledOn: "2025-02-28" }, policy)).toEqual([]);
    expect(checkEnrolment({ ...young, enrolledOn: "2025-02-27" }, policy).map((v) => v.code)).toEqual([
      "BELOW_WORKING_AGE",
    ]);
  });
});

describe("checkEnrolment: retirement age", () => {
  it("accepts a man born before the reform one day before he turns 60", () => {
    expect(codes(facts({ person: person("1964-12-15", "M"), enrolledOn: "2024-12-14" }))).toEqual([]);
  });

  it("refuses a man born before the reform on his 60th birthday", () => {
    expect(codes(facts({ person: person("1964-12-15", "M"), enrolledOn: "2024-12-15" }))).toEqual([
      "AT_OR_ABOVE_RETIREMENT_AGE",
    ]);
  });

  it("accepts a man born in January 1965 on his 60th birthday, one month below his retirement age of 60y1m", () => {
    expect(codes(facts({ person: person("1965-01-15", "M"), enrolledOn: "2025-01-15" }))).toEqual([]);
    expect(codes(facts({ person: person("1965-01-15", "M"), enrolledOn: "2025-02-14" }))).toEqual([]);
  });

  it("refuses a man born in January 1965 once he reaches 60 years and 1 month", () => {
    const violations = checkEnrolment(
      facts({ person: person("1965-01-15", "M"), enrolledOn: "2025-02-15" }),
      POLICY_2026,
    );
    expect(violations).toEqual([
      { code: "AT_OR_ABOVE_RETIREMENT_AGE", field: "idNumber", message: "已达到法定退休年龄（60周岁1个月）" },
    ]);
  });

  it("refuses a man born in December 1976 at 63 and accepts him the day before", () => {
    expect(codes(facts({ person: person("1976-12-01", "M"), enrolledOn: "2039-11-30" }))).toEqual([]);
    expect(codes(facts({ person: person("1976-12-01", "M"), enrolledOn: "2039-12-01" }))).toEqual([
      "AT_OR_ABOVE_RETIREMENT_AGE",
    ]);
  });

  it("applies the women’s rule to a woman: 55 before the reform", () => {
    expect(codes(facts({ person: person("1969-12-31", "F"), enrolledOn: "2024-12-30" }))).toEqual([]);
    expect(codes(facts({ person: person("1969-12-31", "F"), enrolledOn: "2024-12-31" }))).toEqual([
      "AT_OR_ABOVE_RETIREMENT_AGE",
    ]);
  });

  it("applies the women’s rule to a woman born in January 1970: 55 years and 1 month", () => {
    expect(codes(facts({ person: person("1970-01-20", "F"), enrolledOn: "2025-02-19" }))).toEqual([]);
    expect(codes(facts({ person: person("1970-01-20", "F"), enrolledOn: "2025-02-20" }))).toEqual([
      "AT_OR_ABOVE_RETIREMENT_AGE",
    ]);
  });

  it("applies the 50 track to a woman recorded with it: born 1975-06-20, she retires at 50 years 3 months", () => {
    // 1975-06 is 5 months after 1975-01: 5 / 2 = 2, + 1 = 3 months; on the 55 track she retires at 56 years 5 months
    // (1975-06 is 66 months after 1970-01: 66 / 4 = 16, + 1 = 17 months).
    const woman = person("1975-06-20", "F");
    expect(codes(facts({ person: woman, enrolledOn: "2025-09-19", originalRetirementAge: 50 }))).toEqual([]);
    expect(
      checkEnrolment(facts({ person: woman, enrolledOn: "2025-09-20", originalRetirementAge: 50 }), POLICY_2026),
    ).toEqual([
      { code: "AT_OR_ABOVE_RETIREMENT_AGE", field: "idNumber", message: "已达到法定退休年龄（50周岁3个月）" },
    ]);
    expect(codes(facts({ person: woman, enrolledOn: "2025-09-20", originalRetirementAge: 55 }))).toEqual([]);
    expect(codes(facts({ person: woman, enrolledOn: "2025-09-20" }))).toEqual([]); // none recorded: 55
    expect(codes(facts({ person: woman, enrolledOn: "2031-11-19" }))).toEqual([]);
    expect(codes(facts({ person: woman, enrolledOn: "2031-11-20" }))).toEqual(["AT_OR_ABOVE_RETIREMENT_AGE"]);
  });

  it("refuses an original retirement age for a man, and one other than 55 or 50 for a woman", () => {
    expect(codes(facts({ person: person("1990-01-20", "M"), originalRetirementAge: 60 }))).toEqual([
      "INVALID_ORIGINAL_RETIREMENT_AGE",
    ]);
    expect(codes(facts({ person: person("1990-01-20", "F"), originalRetirementAge: 52 }))).toEqual([
      "INVALID_ORIGINAL_RETIREMENT_AGE",
    ]);
  });

  it("accepts a man of 56 whom the women’s rule would refuse", () => {
    expect(codes(facts({ person: person("1970-01-20", "M"), enrolledOn: "2026-02-20" }))).toEqual([]);
  });
});

describe("checkEnrolment: county and commitment", () => {
  it("refuses a workplace outside the Jincheng county list", () => {
    expect(codes(facts({ countyCode: "140402" }))).toEqual(["COUNTY_NOT_IN_JINCHENG"]);
  });

  it("accepts every county in the list", () => {
    POLICY_2026.countyCodes.forEach((countyCode) => expect(codes(facts({ countyCode }))).toEqual([]));
  });

  it("refuses an enrolment without the written commitment", () => {
    expect(codes(facts({ commitmentAccepted: false }))).toEqual(["COMMITMENT_REQUIRED"]);
  });
});

describe("checkEnrolment: monthly amount", () => {
  it.each(["216.00", "216.01", "5803.99", "5804.00"])("accepts a monthly amount of %s", (amount) => {
    expect(codes(facts({ monthlyAmount: parseMoney(amount) }))).toEqual([]);
  });

  it("refuses a monthly amount one fen below the floor", () => {
    const [violation] = checkEnrolment(facts({ monthlyAmount: parseMoney("215.99") }), POLICY_2026);
    expect(violation).toMatchObject({ code: "AMOUNT_BELOW_MINIMUM", field: "monthlyAmount" });
    expect(violation?.message).toContain("216.00");
  });

  it("refuses a monthly amount one fen above the ceiling", () => {
    const [violation] = checkEnrolment(facts({ monthlyAmount: parseMoney("5804.01") }), POLICY_2026);
    expect(violation).toMatchObject({ code: "AMOUNT_ABOVE_MAXIMUM", field: "monthlyAmount" });
    expect(violation?.message).toContain("5804.00");
  });
});

describe("checkEnrolment: deposit day", () => {
  it.each([1, 28])("accepts deposit day %i", (depositDay) => {
    expect(codes(facts({ depositDay }))).toEqual([]);
  });

  it.each([0, 29, 31, -1, 15.5, Number.NaN])("refuses deposit day %p", (depositDay) => {
    expect(codes(facts({ depositDay }))).toEqual(["INVALID_DEPOSIT_DAY"]);
  });
});

describe("checkEnrolment: bank account", () => {
  it.each([null, undefined, "", "   "])("requires a bank account for bank collection, refusing %p", (bankAccount) => {
    expect(codes(facts({ channel: "BANK_COLLECTION", bankAccount }))).toEqual(["BANK_ACCOUNT_REQUIRED"]);
  });

  it("does not require a bank account for active payment", () => {
    expect(codes(facts({ channel: "ACTIVE_PAYMENT", bankAccount: null }))).toEqual([]);
    expect(codes(facts({ channel: "ACTIVE_PAYMENT", bankAccount: "  " }))).toEqual([]);
  });

  it.each(["1".repeat(12), "9".repeat(30)])("accepts a bank account of %s", (bankAccount) => {
    expect(codes(facts({ bankAccount }))).toEqual([]);
  });

  it.each([
    ["11 digits", "1".repeat(11)],
    ["31 digits", "1".repeat(31)],
    ["letters", "6222ABCD12345678"],
    ["inner spaces", "6222 0212 3456 7890"],
    ["a leading space", " 6222021234567890"],
  ])("refuses a bank account of %s", (_label, bankAccount) => {
    expect(codes(facts({ bankAccount }))).toEqual(["INVALID_BANK_ACCOUNT"]);
  });

  it("refuses a malformed bank account also for active payment", () => {
    expect(codes(facts({ channel: "ACTIVE_PAYMENT", bankAccount: "12345" }))).toEqual(["INVALID_BANK_ACCOUNT"]);
  });
});

describe("checkEnrolment: education and graduation date", () => {
  it("accepts a degree without a graduation date", () => {
    expect(codes(facts({ education: "BACHELOR", graduationDate: null }))).toEqual([]);
    expect(codes(facts({ education: "VOCATIONAL", graduationDate: undefined }))).toEqual([]);
  });

  it("accepts no education details at all", () => {
    expect(codes(facts({ education: "NONE", graduationDate: null }))).toEqual([]);
    expect(codes(facts({ education: null, graduationDate: null }))).toEqual([]);
  });

  it("accepts a graduation on the enrolment date", () => {
    expect(codes(facts({ education: "BACHELOR", graduationDate: "2026-08-10", enrolledOn: "2026-08-10" }))).toEqual([]);
  });

  it("refuses a graduation date after the enrolment date", () => {
    expect(codes(facts({ education: "BACHELOR", graduationDate: "2026-08-11", enrolledOn: "2026-08-10" }))).toEqual([
      "GRADUATION_DATE_IN_FUTURE",
    ]);
  });

  it("refuses a graduation date that is not a calendar date", () => {
    expect(codes(facts({ education: "MASTER", graduationDate: "2026-02-30" }))).toEqual(["INVALID_GRADUATION_DATE"]);
  });
});
