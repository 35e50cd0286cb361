import {
  duplicateReason,
  type NationalPersonCheck,
} from "../../../src/connectors/national-platform/national-platform.port";

type DepositAccount = NationalPersonCheck["depositAccounts"][number];

const checkWith = (accounts: Partial<DepositAccount>[], fraudBanUntil: string | null = null): NationalPersonCheck => ({
  idNumber: "140502199001010019",
  depositAccounts: accounts.map((a, i) => ({
    centerCode: "440300",
    accountNumber: `A-${i}`,
    kind: "FLEXIBLE",
    status: "ACTIVE",
    ...a,
  })),
  loans: [],
  fraudBanUntil,
});

describe("duplicateReason", () => {
  test("lets a person unknown to the platform enrol", () => {
    expect(duplicateReason(checkWith([]), "2026-11-28")).toBeNull();
  });

  test("refuses a person with an active flexible account in another center", () => {
    expect(duplicateReason(checkWith([{ kind: "FLEXIBLE" }]), "2026-11-28")).toBe("ACTIVE_ACCOUNT_ELSEWHERE");
  });

  test("refuses a person with an active employer-based account in another center", () => {
    expect(duplicateReason(checkWith([{ kind: "EMPLOYER" }]), "2026-11-28")).toBe("ACTIVE_ACCOUNT_ELSEWHERE");
  });

  test("refuses a person with an active account in the own center too", () => {
    expect(duplicateReason(checkWith([{ centerCode: "140500" }]), "2026-11-28", "140500")).toBe(
      "ACTIVE_ACCOUNT_ELSEWHERE",
    );
  });

  test("lets a person whose accounts elsewhere are sealed or closed enrol", () => {
    expect(duplicateReason(checkWith([{ status: "SEALED" }, { status: "CLOSED" }]), "2026-11-28")).toBeNull();
  });

  test("refuses a person whose fraud ban lasts beyond the enrolment date", () => {
    expect(duplicateReason(checkWith([], "2027-01-01"), "2026-11-28")).toBe("FRAUD_BAN");
  });

  test("refuses a person whose fraud ban ends on the enrolment date", () => {
    expect(duplicateReason(checkWith([], "2026-11-28"), "2026-11-28")).toBe("FRAUD_BAN");
  });

  test("lets a person whose fraud ban ended the day before enrol", () => {
    expect(duplicateReason(checkWith([], "2026-11-27"), "2026-11-28")).toBeNull();
  });

  test("reports the active account first when both reasons apply", () => {
    expect(duplicateReason(checkWith([{}], "2030-01-01"), "2026-11-28")).toBe("ACTIVE_ACCOUNT_ELSEWHERE");
  });

  test("throws on an enrolment date that is not YYYY-MM-DD", () => {
    expect(() => duplicateReason(checkWith([]), "28/11/2026")).toThrow(RangeError);
  });
});
