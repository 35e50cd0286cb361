// transferOut over HTTP against the national platform simulator: interest to date (the earlier year settled first,
// then 1 July to the day before), TRANSFER_OUT (07) of the whole balance, the account closed with status code 04 only
// when the platform ACCEPTS; REJECTED and a platform that is down change nothing on the account; one contact letter
// per transfer, whatever the key.
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { accountMoney, deposit, openWithDeposits, type UserErrorView } from "../../factories/money";
import { key } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, type GqlResponse, startTestHub, type TestHub } from "../../helpers/test-hub";

const TRANSFER_OUT = `mutation T($input: TransferOutInput!) {
  transferOut(input: $input) {
    account { accountNumber status balance withdrawableBalance paidMonths paidUpTo }
    contactLetterNo
    entries { kind amount postedOn balanceAfter }
    userErrors { code field message }
  }
}`;

type TransferOutView = {
  account: { accountNumber: string; status: string; balance: string } | null;
  contactLetterNo: string | null;
  entries: { kind: string; amount: string; postedOn: string; balanceAfter: string }[];
  userErrors: UserErrorView[];
};

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub();
  await setMinimumCellSize(t, 1);
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

function send(accountNumber: string, toCenter: string, requestedOn: string, idempotencyKey = key("tout")) {
  return t.gql<{ transferOut: TransferOutView }>(TRANSFER_OUT, {
    input: { accountNumber, toCenter, requestedOn, idempotencyKey },
  });
}
async function transferOut(accountNumber: string, toCenter: string, requestedOn: string, idempotencyKey?: string) {
  const res = await send(accountNumber, toCenter, requestedOn, idempotencyKey);
  if (!res.body.data) throw new Error(JSON.stringify(res.body));
  return res.body.data.transferOut;
}

const entryCount = (accountNumber: string) =>
  t.hub.db.prisma.ledgerEntry.count({ where: { ledgerAccount: { code: `W:${accountNumber}` } } });

describe("transferOut", () => {
  test("credits interest to date (earlier year first), moves the whole balance out as TRANSFER_OUT, closes with 04", async () => {
    // Opened 2026-06-01: 1,000.00 paid 2026-06-20 for 2026-06, 1,000.00 paid 2026-07-10 for 2026-07; out on 2026-10-15.
    // Year 2025 (2025-07-01..2026-06-30) not settled yet for the account:
    //   2026-06-20..2026-06-30  11 days x 1,000.00 = 11,000.00 (积数)
    //   11,000.00 x 0.015 / 360 = 0.458333 -> 0.46, posted 2026-06-30 (no subsidy: opened during that year)
    // Interest to date, 2026-07-01..2026-10-14 (the day before the transfer):
    //   2026-07-01..2026-07-09   9 days x 1,000.46 =   9,004.14
    //   2026-07-10..2026-10-14  97 days x 2,000.46 = 194,044.62   (July 22 + August 31 + September 30 + October 14)
    //   积数 203,048.76 x 0.015 / 360 = 3,045.7314 / 360 = 8.46037 -> 8.46
    // Balance 2,008.92 = principal 2,000.00 + interest 8.92 (0.46 + 8.46).
    const n = await openWithDeposits(t, "2026-06-01", [
      ["2026-06", "1000.00", "2026-06-20"],
      ["2026-07", "1000.00", "2026-07-10"],
    ]);
    const before = (await pilotMetrics(t, { from: "2026-10", to: "2026-10" })).body.data!.pilotMetrics;
    const out = await transferOut(n, "440300", "2026-10-15");
    expect(out.userErrors).toEqual([]);
    expect(out.contactLetterNo).toBe("1405002610150001");
    expect(out.entries).toEqual([
      { kind: "INTEREST", amount: "0.46", postedOn: "2026-06-30", balanceAfter: "2000.46" },
      { kind: "INTEREST", amount: "8.46", postedOn: "2026-10-15", balanceAfter: "2008.92" },
      { kind: "TRANSFER_OUT", amount: "-2008.92", postedOn: "2026-10-15", balanceAfter: "0.00" },
    ]);
    expect(out.account).toMatchObject({ status: "CLOSED", balance: "0.00", withdrawableBalance: "0.00" });
    // What the platform was sent: this center to 440300, principal and interest apart, the history carried.
    expect(t.national.control.transfers().find((x) => x.contactLetterNo === out.contactLetterNo)).toMatchObject({
      fromCenter: "140500",
      toCenter: "440300",
      principal: "2000.00",
      interest: "8.92",
      openedMonth: "2026-06",
      paidUpTo: "2026-07",
      paidMonths: 2,
      lastSixMonthsContinuous: false,
      loanCount: 0,
      loanOutstanding: false,
      fraudFlag: false,
    });
    const row = await t.hub.db.prisma.account.findUniqueOrThrow({
      where: { accountNumber: n },
      include: { agreements: true },
    });
    expect(row.closeCode).toBe("04");
    expect(row.agreements.map((a) => [a.endedOn?.toISOString().slice(0, 10), a.endReason])).toEqual([
      ["2026-10-15", "TRANSFER_OUT"],
    ]);
    const deregistered = await t.hub.db.prisma.outboxMessage.findMany({
      where: { topic: "national.deregisterAccount" },
    });
    expect(deregistered.map((m) => (m.payload as { accountNumber: string }).accountNumber)).toContain(n);
    // The outbound call carried the ID number: recorded in the exchange log before it was made, in the name of the
    // operator whose request made it, the platform named in the purpose (outbound-exchange.ts).
    const calls = await t.hub.db.prisma.exchangeRecord.count({
      where: {
        operation: "sendTransfer",
        consumerRole: "CENTER_OPERATOR",
        purpose: { endsWith: "→ national-hpf-platform" },
      },
    });
    expect(calls).toBeGreaterThanOrEqual(1);
    // The agreement ended: one exit, one account fewer in the active pool.
    const after = (await pilotMetrics(t, { from: "2026-10", to: "2026-10" })).body.data!.pilotMetrics;
    expect(after.exitedTotal - before.exitedTotal).toBe(1);
    expect(after.activeAccounts - before.activeAccounts).toBe(-1);
    // A closed account takes no more deposits.
    await expect(deposit(t, n, "2026-10", "1000.00", "2026-10-20")).rejects.toThrow(/ACCOUNT_NOT_ACTIVE/);
  });

  test("is idempotent on the contact letter: a second request under any key returns the first result", async () => {
    const n = await openWithDeposits(t, "2026-07-01", [["2026-07", "1000.00", "2026-07-10"]]);
    const idempotencyKey = key("tout");
    const first = await transferOut(n, "440300", "2026-10-16", idempotencyKey);
    expect(first.userErrors).toEqual([]);
    const replay = await transferOut(n, "440300", "2026-10-16", idempotencyKey);
    const otherKey = await transferOut(n, "440300", "2026-10-16");
    const laterDate = await transferOut(n, "320100", "2026-10-20");
    expect(replay).toEqual(first);
    expect(otherKey).toEqual(first);
    expect(laterDate).toEqual(first);
    expect(t.national.control.transfers().filter((x) => x.contactLetterNo === first.contactLetterNo)).toHaveLength(1);
    expect(await t.hub.db.prisma.transferOut.count({ where: { account: { accountNumber: n } } })).toBe(1);
    const posted = await t.hub.db.prisma.ledgerEntry.count({
      where: { ledgerAccount: { code: `W:${n}` }, kind: "TRANSFER_OUT" },
    });
    expect(posted).toBe(1);
  });

  test("concurrent requests for one account under different keys: one letter, one posting, the same answer", async () => {
    const n = await openWithDeposits(t, "2026-07-01", [["2026-07", "1000.00", "2026-07-10"]]);
    const answers = await Promise.all([1, 2, 3].map(() => transferOut(n, "440300", "2026-10-23")));
    expect(answers[0]!.userErrors).toEqual([]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await t.hub.db.prisma.transferOut.count({ where: { account: { accountNumber: n } } })).toBe(1);
    const posted = await t.hub.db.prisma.ledgerEntry.count({
      where: { ledgerAccount: { code: `W:${n}` }, kind: { in: ["TRANSFER_OUT", "INTEREST"] } },
    });
    expect(posted).toBe(2);
  });

  test("REJECTED by the platform changes nothing on the account and says why", async () => {
    // Settled years untouched, one deposit of 1,000.00 on 2026-07-10.
    const n = await openWithDeposits(t, "2026-07-01", [["2026-07", "1000.00", "2026-07-10"]]);
    t.national.control.addRejectingCenter("310000");
    const entries = await entryCount(n);
    const refused = await transferOut(n, "310000", "2026-10-20");
    expect(refused).toMatchObject({ account: null, contactLetterNo: null, entries: [] });
    expect(refused.userErrors.map((e) => e.code)).toEqual(["TRANSFER_REJECTED"]);
    expect(refused.userErrors[0]!.message).toContain("RECEIVING_CENTER_REFUSED");
    expect(await accountMoney(t, n)).toMatchObject({ status: "ACTIVE", balance: "1000.00" });
    expect(await entryCount(n)).toBe(entries);
    const account = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber: n } });
    expect(await t.hub.db.prisma.interestCredit.count({ where: { accountId: account.id } })).toBe(0);
    expect(account.closeCode).toBeNull();
    const letters = await t.hub.db.prisma.transferOut.findMany({ where: { accountId: account.id } });
    expect(letters.map((l) => [l.status, l.reason])).toEqual([["REJECTED", "RECEIVING_CENTER_REFUSED"]]);
    // Another center accepts it: a new letter of the same day, and the account closes then.
    // Interest 2026-07-10..2026-10-19: 102 days x 1,000.00 = 102,000.00 x 0.015 / 360 = 4.25
    const accepted = await transferOut(n, "440300", "2026-10-20");
    expect(accepted.userErrors).toEqual([]);
    expect(accepted.contactLetterNo).not.toBe(letters[0]!.contactLetterNo);
    expect(accepted.contactLetterNo!.slice(0, 12)).toBe("140500261020");
    expect(accepted.entries.map((e) => [e.kind, e.amount])).toEqual([
      ["INTEREST", "4.25"],
      ["TRANSFER_OUT", "-1004.25"],
    ]);
  });

  test("a platform that is down: CONNECTOR_UNAVAILABLE and nothing written; the retry sends the same letter", async () => {
    const n = await openWithDeposits(t, "2026-07-01", [["2026-07", "1000.00", "2026-07-10"]]);
    const entries = await entryCount(n);
    const idempotencyKey = key("tout");
    t.national.control.setMode("down");
    let down: GqlResponse<{ transferOut: TransferOutView }>;
    try {
      down = await send(n, "440300", "2026-10-21", idempotencyKey);
    } finally {
      t.national.control.setMode("up");
    }
    expect(errorCodes(down)).toEqual(["CONNECTOR_UNAVAILABLE"]);
    expect(await accountMoney(t, n)).toMatchObject({ status: "ACTIVE", balance: "1000.00" });
    expect(await entryCount(n)).toBe(entries);
    const account = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber: n } });
    expect(await t.hub.db.prisma.interestCredit.count({ where: { accountId: account.id } })).toBe(0);
    expect(await t.hub.db.prisma.agreement.count({ where: { accountId: account.id, endedOn: null } })).toBe(1);
    expect(await t.hub.db.prisma.idempotencyRecord.count({ where: { key: idempotencyKey } })).toBe(0);
    // Only the letter was issued (PENDING, with the figures it carries), so that the retry sends the same one.
    const [pending] = await t.hub.db.prisma.transferOut.findMany({ where: { accountId: account.id } });
    expect(pending).toMatchObject({ status: "PENDING", toCenter: "440300" });
    // Interest 2026-07-10..2026-10-20: 103 days x 1,000.00 = 103,000.00 x 0.015 / 360 = 4.2916 -> 4.29
    expect([pending!.principal.toFixed(2), pending!.interest.toFixed(2)]).toEqual(["1000.00", "4.29"]);
    const retried = await transferOut(n, "440300", "2026-10-21", idempotencyKey);
    expect(retried.userErrors).toEqual([]);
    expect(retried.contactLetterNo).toBe(pending!.contactLetterNo);
    expect(retried.entries.map((e) => [e.kind, e.amount])).toEqual([
      ["INTEREST", "4.29"],
      ["TRANSFER_OUT", "-1004.29"],
    ]);
    expect(retried.account).toMatchObject({ status: "CLOSED", balance: "0.00" });
  });

  test("refuses a closed or unknown account, this center as the destination, and a date before opening", async () => {
    const n = await openWithDeposits(t, "2026-07-01", [["2026-07", "1000.00", "2026-07-10"]]);
    const codes = async (accountNumber: string, toCenter: string, on: string) =>
      (await transferOut(accountNumber, toCenter, on)).userErrors.map((e) => e.code);
    expect(await codes(n, "140500", "2026-10-22")).toEqual(["INVALID_CENTER"]);
    expect(await codes(n, "44030", "2026-10-22")).toEqual(["INVALID_CENTER"]);
    expect(await codes("1405009999999999", "440300", "2026-10-22")).toEqual(["ACCOUNT_NOT_FOUND"]);
    expect(await codes(n, "440300", "2026-06-30")).toEqual(["INVALID_DATE"]);
    expect(await t.hub.db.prisma.transferOut.count({ where: { account: { accountNumber: n } } })).toBe(0);
    expect((await accountMoney(t, n)).balance).toBe("1000.00");
  });
});
