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
  const ok = { status: "ACTIVE", loanOutstanding: false, banned: false, withdrawable: money("500.00") };

  test("allows any amount up to the withdrawable balance on an ACTIVE or SEALED account", () => {
    expect(withdrawalRefusal(money("500.00"), ok)).toBeNull();
    expect(withdrawalRefusal(money("0.01"), { ...ok, status: "SEALED" })).toBeNull();
  });

  test("refuses with a stable code, loan first", () => {
    expect(withdrawalRefusal(money("500.01"), ok)).toBe("EXCEEDS_WITHDRAWABLE");
    expect(withdrawalRefusal(money("0.00"), ok)).toBe("INVALID_AMOUNT");
    expect(withdrawalRefusal(money("-1.00"), ok)).toBe("INVALID_AMOUNT");
    expect(withdrawalRefusal(money("10.00"), { ...ok, status: "CLOSED" })).toBe("ACCOUNT_NOT_WITHDRAWABLE");
    expect(withdrawalRefusal(money("10.00"), { ...ok, status: "FROZEN" })).toBe("ACCOUNT_NOT_WITHDRAWABLE");
    expect(withdrawalRefusal(money("10.00"), { ...ok, banned: true })).toBe("BANNED");
    const loanOutstanding = hasOutstandingLoan([{ status: "APPROVED" }]);
    expect(withdrawalRefusal(money("10.00"), { ...ok, loanOutstanding, banned: true })).toBe("LOAN_OUTSTANDING");
  });

  test("refuses an exit with a loan outstanding, a ban in force or a closed account", () => {
    expect(exitRefusal({ status: "ACTIVE", loanOutstanding: false, banned: false })).toBeNull();
    expect(exitRefusal({ status: "ACTIVE", loanOutstanding: true, banned: false })).toBe("LOAN_OUTSTANDING");
    expect(exitRefusal({ status: "SEALED", loanOutstanding: false, banned: true })).toBe("BANNED");
    expect(exitRefusal({ status: "CLOSED", loanOutstanding: false, banned: false })).toBe("ACCOUNT_NOT_WITHDRAWABLE");
  });
});
