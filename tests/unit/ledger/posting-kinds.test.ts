import {
  businessTypeOf,
  isPostingKind,
  kindsInMetric,
  type PostingKind,
  type PostingKindInfo,
} from "../../../src/ledger/posting-kinds";

describe("posting kinds catalogue", () => {
  it("gives each kind its JGJ/T 320 business type", () => {
    expect(businessTypeOf("DEPOSIT")).toBe("01");
    expect(businessTypeOf("LUMP_SUM")).toBe("01");
    expect(businessTypeOf("BACK_PAYMENT")).toBe("02");
    expect(businessTypeOf("TRANSFER_OUT")).toBe("07");
    expect(businessTypeOf("TRANSFER_IN")).toBe("08");
    expect(businessTypeOf("INTEREST")).toBe("09");
    expect(businessTypeOf("WITHDRAWAL")).toBe("11");
    expect(businessTypeOf("EXIT_PAYOUT")).toBe("12");
    expect(businessTypeOf("GRADUATE_SUBSIDY")).toBe("99");
    expect(businessTypeOf("INTEREST_SUBSIDY")).toBe("99");
    expect(businessTypeOf("REVERSAL")).toBe("99");
    expect(businessTypeOf("RELATIVE_TRANSFER")).toBe("99");
    expect(businessTypeOf("LEGACY_OPENING")).toBe("99");
  });

  it("puts each kind in one metric category", () => {
    expect(kindsInMetric("DEPOSIT")).toEqual(["DEPOSIT", "BACK_PAYMENT", "LUMP_SUM"]);
    expect(kindsInMetric("WITHDRAWAL")).toEqual(["WITHDRAWAL", "EXIT_PAYOUT", "REVERSAL"]);
    expect(kindsInMetric("GRADUATE_SUBSIDY")).toEqual(["GRADUATE_SUBSIDY"]);
    expect(kindsInMetric("INTEREST")).toEqual(["INTEREST"]);
    expect(kindsInMetric("INTEREST_SUBSIDY")).toEqual(["INTEREST_SUBSIDY"]);
    // the loan book: only a disbursement counts as a loan (count and amount); repayments, offsets and write-offs move
    // the outstanding principal, which is counted from the loan receivable's entries (metric-sources.ts loanSource)
    expect(kindsInMetric("LOAN")).toEqual(["LOAN_DISBURSEMENT"]);
    expect(kindsInMetric("NONE")).toEqual([
      "TRANSFER_OUT",
      "TRANSFER_IN",
      "RELATIVE_TRANSFER",
      "LEGACY_OPENING",
      "LOAN_REPAYMENT",
      "LOAN_OFFSET",
      "LOAN_WRITE_OFF",
    ]);
  });

  it("knows its own kinds only", () => {
    expect(isPostingKind("EXIT_PAYOUT")).toBe(true);
    expect(isPostingKind("LOAN_OFFSET")).toBe(true);
    expect(isPostingKind("LOAN_INTEREST")).toBe(false);
    expect(isPostingKind("deposit")).toBe(false);
  });

  it("does not compile a catalogue that leaves a kind undecided", () => {
    // @ts-expect-error every PostingKind must be decided (this catalogue names only DEPOSIT)
    const partial: Record<PostingKind, PostingKindInfo> = {
      DEPOSIT: { businessType: "01", metric: "DEPOSIT", label: "汇缴" },
    };
    expect(Object.keys(partial)).toEqual(["DEPOSIT"]);
  });
});
