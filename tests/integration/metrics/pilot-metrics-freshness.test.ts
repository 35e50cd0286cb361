// pilotMetrics with a freshness bound (issue 12, decision 033): identical reads within `maxStalenessMs` share one
// read; a reader sees figures at most that old, never older; authorization, the exchange record and the small-cell
// rule in force apply to every request as before. The hub's clock for the bound is injected: the test moves it.
//   worker A, 城区 140502 SELF_EMPLOYED, enrolled 2026-07-15, pays 1000.00 for 2026-07 on 2026-07-20;
//   then worker B, same county and form, enrolled 2026-07-16, pays 500.00 for 2026-07 on 2026-07-21.
//   Before B: 1 enrolled, 1 payment, 1000.00. After B: 2 enrolled, 2 payments, 1500.00.
//   With a minimum cell size of 3 the one cell (140502 x SELF_EMPLOYED x 2026-07) holds 2 people: withheld.
import { PILOT_METRICS, pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { ENROL, enrolInput, freshIdNumber, key, RECORD } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
let clock = 5_000_000;

beforeAll(async () => {
  t = await startTestHub({ pilotMetricsFreshness: { maxStalenessMs: 1000, now: () => clock } });
  await setMinimumCellSize(t, 1);
  await enrolAndPay("1990-01-01", "2026-07-15", "1000.00", "2026-07-20");
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

async function enrolAndPay(born: string, enrolledOn: string, amount: string, paidOn: string) {
  const enrolled = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    {
      input: enrolInput({
        idNumber: freshIdNumber(born),
        countyCode: "140502",
        employmentForm: "SELF_EMPLOYED",
        enrolledOn,
      }),
    },
  );
  expect(enrolled.body.data!.enrollWorker.userErrors).toEqual([]);
  const paid = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, {
    input: {
      accountNumber: enrolled.body.data!.enrollWorker.account!.accountNumber,
      period: "2026-07",
      amount,
      channel: "ACTIVE_PAYMENT",
      paymentRef: key("PAY"),
      paidOn,
      idempotencyKey: key("dep"),
    },
  });
  expect(paid.body.data!.recordDeposit.userErrors).toEqual([]);
}

const WINDOW = { from: "2026-07", to: "2026-07" };

async function figures(as: "LEADERSHIP" | "CENTER_ADMIN" = "LEADERSHIP") {
  const res = await pilotMetrics(t, WINDOW, as);
  expect(res.body.errors).toBeUndefined();
  const m = res.body.data!.pilotMetrics;
  return {
    enrolledTotal: m.enrolledTotal,
    depositCount: m.depositCount,
    depositAmount: m.depositAmount,
    suppressed: m.suppressed,
  };
}

const reads = () => t.hub.services.pilotMetricsCache!.started;

it("answers from one read for the bound, then reads again; roles, authorization and small cells per request", async () => {
  const before = { enrolledTotal: 1, depositCount: 1, depositAmount: "1000.00", suppressed: false };
  const after = { enrolledTotal: 2, depositCount: 2, depositAmount: "1500.00", suppressed: false };

  const started = reads();
  expect(await figures()).toEqual(before);
  expect(reads()).toBe(started + 1);

  await enrolAndPay("1991-02-02", "2026-07-16", "500.00", "2026-07-21");

  // Within the bound (inclusive): the same figures, for any allowed role, without a new read.
  expect(await figures("CENTER_ADMIN")).toEqual(before);
  clock += 1000;
  expect(await figures()).toEqual(before);
  expect(reads()).toBe(started + 1);

  // Authorization is per request, the shared answer notwithstanding: a refused role gets no data.
  const refused = await t.gql<{ pilotMetrics: unknown }>(PILOT_METRICS, WINDOW, { as: "CENTER_OPERATOR" });
  expect([errorCodes(refused), refused.body.data?.pilotMetrics ?? null]).toEqual([["FORBIDDEN"], null]);
  // An agency's refused call is recorded in the exchange log as always (a center read of no person is not, 008).
  const agency = await t.gql(PILOT_METRICS, WINDOW, { as: "TAX_BUREAU" });
  expect(errorCodes(agency)).toEqual(["FORBIDDEN"]);
  await t.hub.services.exchangeLog.drain();
  const record = await t.hub.db.prisma.exchangeRecord.findMany({ where: { requestId: agency.requestId } });
  expect(record.map((r) => [r.consumerRole, r.operation, r.outcome])).toEqual([
    ["TAX_BUREAU", "pilotMetrics", "ERROR"],
  ]);

  // One millisecond past the bound: a new read, with B's payment.
  clock += 1;
  expect(await figures()).toEqual(after);
  expect(reads()).toBe(started + 2);

  // A new minimum cell size is a new key: answered at once with the cell withheld, not from the shared read.
  await setMinimumCellSize(t, 3);
  expect(await figures()).toEqual({ enrolledTotal: 0, depositCount: 0, depositAmount: "0.00", suppressed: true });
  expect(reads()).toBe(started + 3);
});

it("shares one read among identical requests sent together", async () => {
  clock += 10_000;
  const started = reads();
  const answers = await Promise.all([figures(), figures("CENTER_ADMIN"), figures()]);
  expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  expect(reads()).toBe(started + 1);
});
