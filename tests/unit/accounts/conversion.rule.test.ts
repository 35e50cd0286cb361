import { AccountKind } from "../../../src/domain/accounts/account-vocabulary";
import { checkConversion, type ConversionFacts } from "../../../src/domain/accounts/conversion.rule";

const flexible: ConversionFacts = {
  kind: "FLEXIBLE",
  status: "ACTIVE",
  openedOn: "2026-07-15",
  lastAgreementEvent: "2026-07-15",
};
const employer: ConversionFacts = { ...flexible, kind: "EMPLOYER", lastAgreementEvent: "2026-09-01" };
const codes = (facts: ConversionFacts, request: Parameters<typeof checkConversion>[1]) =>
  checkConversion(facts, request).map((v) => v.code);

describe("checkConversion", () => {
  it("converts an active flexible account to employer-based when the employer is named", () => {
    expect(codes(flexible, { to: AccountKind.EMPLOYER, employerName: "某公司", effectiveOn: "2026-09-01" })).toEqual(
      [],
    );
    expect(codes(flexible, { to: AccountKind.EMPLOYER, employerName: " ", effectiveOn: "2026-09-01" })).toEqual([
      "EMPLOYER_NAME_REQUIRED",
    ]);
    expect(
      codes(
        { ...flexible, status: "SEALED" },
        { to: AccountKind.EMPLOYER, employerName: "某公司", effectiveOn: "2026-09-01" },
      ),
    ).toEqual(["ACCOUNT_NOT_ACTIVE"]);
  });

  it("converts an employer-based account back (active or sealed) only with the written commitment", () => {
    expect(codes(employer, { to: AccountKind.FLEXIBLE, commitmentAccepted: true, effectiveOn: "2026-10-01" })).toEqual(
      [],
    );
    expect(
      codes(
        { ...employer, status: "SEALED" },
        { to: AccountKind.FLEXIBLE, commitmentAccepted: true, effectiveOn: "2026-10-01" },
      ),
    ).toEqual([]);
    expect(codes(employer, { to: AccountKind.FLEXIBLE, commitmentAccepted: false, effectiveOn: "2026-10-01" })).toEqual(
      ["COMMITMENT_REQUIRED"],
    );
    expect(
      codes(
        { ...employer, status: "CLOSED" },
        { to: AccountKind.FLEXIBLE, commitmentAccepted: true, effectiveOn: "2026-10-01" },
      ),
    ).toEqual(["ACCOUNT_NOT_ACTIVE"]);
  });

  it("refuses converting to the kind the account already is, and dates before the last agreement change", () => {
    expect(codes(flexible, { to: AccountKind.FLEXIBLE, commitmentAccepted: true, effectiveOn: "2026-09-01" })).toEqual([
      "ALREADY_THIS_KIND",
    ]);
    expect(codes(employer, { to: AccountKind.FLEXIBLE, commitmentAccepted: true, effectiveOn: "2026-08-31" })).toEqual([
      "EFFECTIVE_TOO_EARLY",
    ]);
    expect(codes(flexible, { to: AccountKind.EMPLOYER, employerName: "某公司", effectiveOn: "2026-07-14" })).toEqual([
      "EFFECTIVE_TOO_EARLY",
    ]);
  });
});
