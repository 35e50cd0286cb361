// POST /imports/bank-payouts writes each committed batch's exchange record in that batch's transaction (issue 11
// finding 4, applied to the payout file): its own hub, so no other test's accounts share its records.
import { openWithDeposits, withdraw } from "../../factories/money";
import { key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("POST /imports/bank-payouts", () => {
  test("records each committed batch in its own transaction, indexed by the account holder", async () => {
    const n = await openWithDeposits(t, "2026-07-01", [["2026-07", "1000.00", "2026-07-10"]]);
    const ref = (await withdraw(t, n, "100.00", "2026-08-01")).entry!.paymentRef!;
    const csv = `payoutRef,accountNumber,amount,paidOn,result,reason\r\n${ref},${n},100.00,2026-08-02,SUCCESS,\r\n`;
    const res = await fetch(`${t.url}/imports/bank-payouts`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await t.token("CENTER_OPERATOR")}`,
        "content-type": "text/csv",
        "idempotency-key": key("record"),
      },
      body: csv,
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id")!;
    // One batch record (1 row, 1 written, the holder indexed) and the summary record of the request.
    const records = await t.hub.db.prisma.$queryRaw<{ subject_count: number; result_size: number; subjects: bigint }[]>`
      SELECT r.subject_count, r.result_size, (SELECT count(*) FROM exchange_subject s WHERE s.record_id = r.id) AS subjects
      FROM exchange_record r WHERE r.request_id = ${requestId} AND r.operation = 'importBankPayouts'
      ORDER BY r.id`;
    expect(records.map((r) => [r.subject_count, r.result_size, Number(r.subjects)])).toEqual([
      [1, 1, 1],
      [1, 1, 0],
    ]);
  });
});
