import {
  mayBorrow,
  mayDeposit,
  mayExit,
  mayPayLumpSum,
  mayTransfer,
  mayWithdraw,
  type MoneyOutFacts,
} from "../../../src/domain/accounts/account-state.rule";
import { accountStatusCode } from "../../../src/domain/accounts/account-vocabulary";
import { AccountClosure, AccountKind, AccountStatus } from "../../../src/domain/accounts/account-vocabulary";

const clean: MoneyOutFacts = {
  kind: AccountKind.FLEXIBLE,
  status: AccountStatus.ACTIVE,
  hasOutstandingLoan: false,
  loanInApplication: false,
  banInForce: false,
};
const code = (v: { code: string } | null) => v?.code ?? null;

describe("account status codes (JGJ/T 320)", () => {
  it("gives 01 normal, 02 sealed, 06 frozen and the closure's code for a closed account", () => {
    expect(accountStatusCode(AccountStatus.ACTIVE)).toBe("01");
    expect(accountStatusCode(AccountStatus.SEALED)).toBe("02");
    expect(accountStatusCode(AccountStatus.FROZEN)).toBe("06");
    expect(accountStatusCode(AccountStatus.CLOSED, AccountClosure.MERGED)).toBe("03");
    expect(accountStatusCode(AccountStatus.CLOSED, AccountClosure.TRANSFERRED_OUT)).toBe("04");
    expect(accountStatusCode(AccountStatus.CLOSED, AccountClosure.WITHDRAWN)).toBe("05");
    expect(() => accountStatusCode(AccountStatus.CLOSED)).toThrow(RangeError);
  });
});

describe("mayDeposit", () => {
  it("allows an active account of either kind (an employer-based one receives the employer's remittances)", () => {
    expect(mayDeposit({ kind: "FLEXIBLE", status: "ACTIVE" })).toBeNull();
    expect(mayDeposit({ kind: "EMPLOYER", status: "ACTIVE" })).toBeNull();
    expect(code(mayDeposit({ kind: "FLEXIBLE", status: "SEALED" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayDeposit({ kind: "FLEXIBLE", status: "CLOSED" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayDeposit({ kind: "EMPLOYER", status: "SEALED" }))).toBe("ACCOUNT_NOT_ACTIVE");
  });
});

describe("mayPayLumpSum", () => {
  it("allows an active flexible account only", () => {
    expect(mayPayLumpSum({ kind: "FLEXIBLE", status: "ACTIVE" })).toBeNull();
    expect(code(mayPayLumpSum({ kind: "EMPLOYER", status: "ACTIVE" }))).toBe("NOT_FLEXIBLE_ACCOUNT");
    expect(code(mayPayLumpSum({ kind: "FLEXIBLE", status: "SEALED" }))).toBe("ACCOUNT_NOT_ACTIVE");
  });
});

describe("mayWithdraw", () => {
  it("allows an active or sealed account without loan or ban, of either kind", () => {
    expect(mayWithdraw(clean)).toBeNull();
    expect(mayWithdraw({ ...clean, status: "SEALED" })).toBeNull();
    expect(mayWithdraw({ ...clean, kind: "EMPLOYER" })).toBeNull();
  });
  it("refuses with a loan outstanding or applied for, a closed or frozen account, or a ban in force", () => {
    expect(code(mayWithdraw({ ...clean, hasOutstandingLoan: true }))).toBe("LOAN_OUTSTANDING");
    expect(code(mayWithdraw({ ...clean, loanInApplication: true }))).toBe("LOAN_OUTSTANDING");
    expect(code(mayWithdraw({ ...clean, status: "CLOSED" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayWithdraw({ ...clean, status: "FROZEN" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayWithdraw({ ...clean, banInForce: true }))).toBe("BANNED");
  });
  it("names the loan first when several rules fail", () => {
    expect(code(mayWithdraw({ ...clean, status: "CLOSED", hasOutstandingLoan: true, banInForce: true }))).toBe(
      "LOAN_OUTSTANDING",
    );
  });
});

describe("mayExit", () => {
  it("allows an active flexible account without loan or ban", () => {
    expect(mayExit(clean)).toBeNull();
  });
  it("refuses a loan, a sealed/closed account, an employer-based account and a ban", () => {
    expect(code(mayExit({ ...clean, hasOutstandingLoan: true }))).toBe("LOAN_OUTSTANDING");
    expect(code(mayExit({ ...clean, loanInApplication: true }))).toBe("LOAN_OUTSTANDING");
    expect(code(mayExit({ ...clean, status: "SEALED" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayExit({ ...clean, status: "CLOSED" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayExit({ ...clean, kind: "EMPLOYER" }))).toBe("NOT_FLEXIBLE_ACCOUNT");
    expect(code(mayExit({ ...clean, banInForce: true }))).toBe("BANNED");
  });
});

describe("mayBorrow", () => {
  it("allows an active account of either kind without loan or ban", () => {
    expect(mayBorrow(clean)).toBeNull();
    expect(mayBorrow({ ...clean, kind: "EMPLOYER" })).toBeNull();
  });
  it("refuses a second loan, a loan already applied for, a non-active account and a ban", () => {
    expect(code(mayBorrow({ ...clean, hasOutstandingLoan: true }))).toBe("LOAN_OUTSTANDING");
    expect(code(mayBorrow({ ...clean, loanInApplication: true }))).toBe("LOAN_OUTSTANDING");
    expect(code(mayBorrow({ ...clean, status: "SEALED" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayBorrow({ ...clean, banInForce: true }))).toBe("BANNED");
  });
});

describe("mayTransfer", () => {
  it("allows an active or sealed account without loan or ban", () => {
    expect(mayTransfer(clean)).toBeNull();
    expect(mayTransfer({ ...clean, status: "SEALED" })).toBeNull();
  });
  it("refuses a loan, a closed or frozen account and a ban", () => {
    expect(code(mayTransfer({ ...clean, hasOutstandingLoan: true }))).toBe("LOAN_OUTSTANDING");
    expect(code(mayTransfer({ ...clean, loanInApplication: true }))).toBe("LOAN_OUTSTANDING");
    expect(code(mayTransfer({ ...clean, status: "CLOSED" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayTransfer({ ...clean, status: "FROZEN" }))).toBe("ACCOUNT_NOT_ACTIVE");
    expect(code(mayTransfer({ ...clean, banInForce: true }))).toBe("BANNED");
  });
});
