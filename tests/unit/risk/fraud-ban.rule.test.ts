import {
  actionBanned,
  banBlocks,
  banInForce,
  BanKind,
  banUntil,
  untilFromLastDay,
} from "../../../src/domain/risk/fraud-ban.rule";
import { nationalBan, transferBan } from "../../../src/services/risk/fraud-bans";

const YEARS = { withdrawalFraud: 3, loanFraud: 5 };

describe("how long a fraud ban lasts", () => {
  it("ends the decision date plus 3 years for a fraudulent withdrawal and plus 5 for a fraudulent loan", () => {
    expect(banUntil(BanKind.WITHDRAWAL_FRAUD, "2026-03-15", YEARS)).toBe("2029-03-15");
    expect(banUntil(BanKind.LOAN_FRAUD, "2026-03-15", YEARS)).toBe("2031-03-15");
  });

  it("ends on 28 February when decided on 29 February of a leap year (2027 and 2029 have no 29th)", () => {
    expect(banUntil(BanKind.WITHDRAWAL_FRAUD, "2024-02-29", YEARS)).toBe("2027-02-28");
    expect(banUntil(BanKind.LOAN_FRAUD, "2024-02-29", YEARS)).toBe("2029-02-28");
  });

  it("takes the years it is given (a changed parameter) and refuses a non-positive number", () => {
    expect(banUntil(BanKind.WITHDRAWAL_FRAUD, "2026-03-15", { withdrawalFraud: 4, loanFraud: 5 })).toBe("2030-03-15");
    expect(() => banUntil(BanKind.LOAN_FRAUD, "2026-03-15", { withdrawalFraud: 3, loanFraud: 0 })).toThrow(RangeError);
  });
});

describe("a ban in force", () => {
  const ban = { kind: BanKind.WITHDRAWAL_FRAUD, decidedOn: "2026-03-15", until: "2029-03-15" };

  it("is in force from its decision date to the day before until, and ended on until", () => {
    expect(banInForce(ban, "2026-03-14")).toBe(false);
    expect(banInForce(ban, "2026-03-15")).toBe(true);
    expect(banInForce(ban, "2029-03-14")).toBe(true);
    expect(banInForce(ban, "2029-03-15")).toBe(false);
  });

  it("of a withdrawal fraud blocks withdrawals, exits, transfers, loans and housing support", () => {
    for (const action of ["WITHDRAW", "EXIT", "TRANSFER", "BORROW", "HOUSING_SUPPORT"] as const)
      expect(banBlocks(BanKind.WITHDRAWAL_FRAUD, action)).toBe(true);
  });

  it("of a loan fraud blocks loans and housing support, not the worker's own money", () => {
    expect(banBlocks(BanKind.LOAN_FRAUD, "BORROW")).toBe(true);
    expect(banBlocks(BanKind.LOAN_FRAUD, "HOUSING_SUPPORT")).toBe(true);
    for (const action of ["WITHDRAW", "EXIT", "TRANSFER"] as const)
      expect(banBlocks(BanKind.LOAN_FRAUD, action)).toBe(false);
  });

  it("of a kind the rule does not know blocks everything", () => {
    expect(banBlocks("SOMETHING_ELSE", "WITHDRAW")).toBe(true);
  });

  it("blocks an action only when one ban covers it on that date", () => {
    const loanBan = { kind: BanKind.LOAN_FRAUD, decidedOn: "2026-01-10", until: "2031-01-10" };
    expect(actionBanned([loanBan], "WITHDRAW", "2027-01-01")).toBe(false);
    expect(actionBanned([loanBan, ban], "WITHDRAW", "2027-01-01")).toBe(true);
    expect(actionBanned([loanBan, ban], "WITHDRAW", "2029-03-15")).toBe(false);
    expect(actionBanned([loanBan, ban], "BORROW", "2029-03-15")).toBe(true);
    expect(actionBanned([], "BORROW", "2029-03-15")).toBe(false);
  });
});

describe("bans from the national platform and from transfers", () => {
  it("turn the platform's last day into until (the day after)", () => {
    expect(untilFromLastDay("2028-06-30")).toBe("2028-07-01");
    expect(untilFromLastDay("2028-12-31")).toBe("2029-01-01");
  });

  it("keep a national sanction in force on the day seen, decided that day; an ended one is not kept", () => {
    expect(nationalBan(7n, "2027-12-31", "2026-08-01", "op")).toMatchObject({
      kind: "WITHDRAWAL_FRAUD",
      decidedOn: "2026-08-01",
      until: "2028-01-01",
      source: "NATIONAL",
      sourceRef: "2027-12-31",
    });
    // Its last day is the day seen: in force that day, until the next.
    expect(nationalBan(7n, "2026-08-01", "2026-08-01", "op")).toMatchObject({ until: "2026-08-02" });
    expect(nationalBan(7n, "2026-07-31", "2026-08-01", "op")).toBeNull();
  });

  it("record a transfer's fraud flag as a withdrawal-fraud ban from the day received", () => {
    const t = { contactLetterNo: "4403002607200001", fromCenter: "440300", receivedOn: "2026-07-20" };
    expect(transferBan(7n, t, YEARS, "op")).toMatchObject({
      kind: "WITHDRAWAL_FRAUD",
      decidedOn: "2026-07-20",
      until: "2029-07-20",
      source: "TRANSFER",
      sourceRef: "4403002607200001",
    });
  });
});
