import { LoanStatus, OPEN_LOAN_STATUSES } from "../../../src/domain/loans/loan-vocabulary";
import { parseMoney } from "../../../src/domain/money/money";
import {
  exitRefusal,
  hasOutstandingLoan,
  withdrawableBalance,
  withdrawalRefusal,
} from "../../../src/domain/withdrawals/withdrawal.rule";

const money = parseMoney;
const SUBSIDIES = [
  { on: "2026-11-10", amount: money("200.00") },
  { on: "2027-01-31", amount: money("34.60") },
];

describe("withdrawable balance", () => {
  test("is the whole balance when subsidies may be withdrawn at once (holding period 0 months)", () => {
    const facts = { balance: money("1000.00"), subsidyCredits: SUBSIDIES, loanOutstanding: false };
    expect(withdrawableBalance(facts, 0, "2027-02-01").toFixed(2)).toBe("1000.00");
  });

  test("keeps back each subsidy until its holding period has passed", () => {
    const facts = { balance: money("1000.00"), subsidyCredits: SUBSIDIES, loanOutstanding: false };
    // 6 months: the 200.00 of 2026-11-10 is held until 2027-05-10; the 34.60 of 2027-01-31 until 2027-07-31.
    expect(withdrawableBalance(facts, 6, "2027-05-09").toFixed(2)).toBe("765.40");
    expect(withdrawableBalance(facts, 6, "2027-05-10").toFixed(2)).toBe("965.40");
    expect(withdrawableBalance(facts, 6, "2027-07-31").toFixed(2)).toBe("1000.00");
  });

  test("names the loan book's own statuses: in application (APPROVED) and outstanding (DISBURSED) block", () => {
    expect(hasOutstandingLoan([{ status: "APPROVED" }])).toBe(true);
    expect(hasOutstandingLoan([{ status: "DISBURSED" }])).toBe(true);
    // every status the loan book writes, and nothing else: "APPLIED" is not one of them
    expect(Object.values(LoanStatus).filter((status) => hasOutstandingLoan([{ status }]))).toEqual([
      "APPROVED",
      "DISBURSED",
    ]);
    expect(OPEN_LOAN_STATUSES).toEqual(["APPROVED", "DISBURSED"]);
    expect(hasOutstandingLoan([{ status: "APPLIED" }])).toBe(false);
  });

  test("is zero while a loan is outstanding or applied for", () => {
    const loanOutstanding = hasOutstandingLoan([{ status: "SETTLED" }, { status: "DISBURSED" }]);
    expect(loanOutstanding).toBe(true);
    expect(hasOutstandingLoan([{ status: "SETTLED" }, { status: "WRITTEN_OFF" }])).toBe(false);
    expect(hasOutstandingLoan([])).toBe(false);
    const facts = { balance: money("1000.00"), subsidyCredits: [], loanOutstanding };
    expect(withdrawableBalance(facts, 0, "2027-02-01").toFixed(2)).toBe("0.00");
  });
});

describe("withdrawal refusals", () => {
  const ok = {
    kind: "FLEXIBLE",
    status: "ACTIVE",
    hasOutstandingLoan: false,
    loanInApplication: false,
    banInForce: false,
    withdrawable: money("500.00"),
  };
  const codeOf = (amount: string, facts = ok) => withdrawalRefusal(money(amount), facts)?.code ?? null;

  test("allows any amount up to the withdrawable balance on an ACTIVE or SEALED account", () => {
    expect(codeOf("500.00")).toBeNull();
    expect(codeOf("0.01", { ...ok, status: "SEALED" })).toBeNull();
  });

  test("refuses with a stable code, loan first", () => {
    expect(codeOf("500.01")).toBe("EXCEEDS_WITHDRAWABLE");
    expect(codeOf("0.00")).toBe("INVALID_AMOUNT");
    expect(codeOf("-1.00")).toBe("INVALID_AMOUNT");
    expect(codeOf("10.00", { ...ok, status: "CLOSED" })).toBe("ACCOUNT_NOT_ACTIVE");
    expect(codeOf("10.00", { ...ok, status: "FROZEN" })).toBe("ACCOUNT_NOT_ACTIVE");
    expect(codeOf("10.00", { ...ok, banInForce: true })).toBe("BANNED");
    // The loan flag through the rule that derives it from the person's loans (no loan book yet: a stub loan here).
    const hasLoan = hasOutstandingLoan([{ status: "DISBURSED" }]);
    expect(codeOf("10.00", { ...ok, hasOutstandingLoan: hasLoan, banInForce: true })).toBe("LOAN_OUTSTANDING");
    expect(codeOf("10.00", { ...ok, loanInApplication: true })).toBe("LOAN_OUTSTANDING");
  });

  test("refuses an exit with a loan outstanding, a ban in force or an account that is not active", () => {
    const exit = {
      kind: "FLEXIBLE",
      status: "ACTIVE",
      hasOutstandingLoan: false,
      loanInApplication: false,
      banInForce: false,
    };
    expect(exitRefusal(exit)).toBeNull();
    expect(exitRefusal({ ...exit, hasOutstandingLoan: hasOutstandingLoan([{ status: "APPROVED" }]) })?.code).toBe(
      "LOAN_OUTSTANDING",
    );
    expect(exitRefusal({ ...exit, banInForce: true })?.code).toBe("BANNED");
    expect(exitRefusal({ ...exit, status: "CLOSED" })?.code).toBe("ACCOUNT_NOT_ACTIVE");
  });
});
