// A worker leaves the flexible pool (the account turns employer-based and is sealed when the job ends), then
// enrols again in another county and form: the sealed account converts back. The exit and both enrolments
// count, and the account's history moves to the county and form it has now, so the metrics still equal a
// recomputation from the source tables.
import { stringToDate } from "../../../src/db/dates";
import { inTransaction } from "../../../src/db/transaction";
import { recordExit, rekeyAccountMetrics } from "../../../src/services/metrics/metric-deltas";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { COUNTIES, groupsOf, pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { ENROL, enrolInput, freshIdNumber, key, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
const idNumber = freshIdNumber("1988-08-08");
let accountNumber: string;

async function enrol(countyCode: string, employmentForm: string, enrolledOn: string): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    {
      input: enrolInput({ idNumber, countyCode, employmentForm, enrolledOn }),
    },
  );
  expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
  return res.body.data!.enrollWorker.account!.accountNumber;
}

/** What the exit / conversion-to-employer use case will do: re-key, end the agreement, count the exit. */
async function sealAsEmployerBased(on: string): Promise<void> {
  const account = (await t.hub.db.prisma.account.findUnique({ where: { accountNumber } }))!;
  await inTransaction(t.hub.db.prisma, async (tx) => {
    await rekeyAccountMetrics(tx, account.id, () =>
      tx.account.update({ where: { id: account.id }, data: { kind: "EMPLOYER", status: "SEALED" } }),
    );
    await tx.agreement.updateMany({
      where: { accountId: account.id, endedOn: null },
      data: { endedOn: stringToDate(on) },
    });
    await recordExit(tx, { on, countyCode: account.countyCode, employmentForm: account.employmentForm });
  });
  await t.hub.outbox.idle();
  t.national.control.addRecord({ idNumber, centerCode: "140500", accountNumber, kind: "EMPLOYER", status: "SEALED" });
}

type Metrics = Awaited<ReturnType<typeof pilotMetrics>>["body"];
type Check = Awaited<ReturnType<typeof checkMetrics>>;
const afterExit = {} as { check: Check; metrics: Metrics };
const afterConversion = {} as { check: Check; metrics: Metrics; accountNumber: string };

beforeAll(async () => {
  t = await startTestHub();
  await setMinimumCellSize(t, 1); // these tests are about the exact figures: every cell published
  accountNumber = await enrol("140502", "SELF_EMPLOYED", "2026-07-10");
  const input = {
    accountNumber,
    period: "2026-07",
    amount: "1000.00",
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn: "2026-07-20",
    idempotencyKey: key("dep"),
  };
  expect(
    (await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, { input })).body.data!.recordDeposit.userErrors,
  ).toEqual([]);
  await sealAsEmployerBased("2026-09-30");
  afterExit.check = await checkMetrics(t.hub.db.prisma);
  afterExit.metrics = (await pilotMetrics(t, { from: "2026-07", to: "2026-09" })).body;
  afterConversion.accountNumber = await enrol("140581", "NEW_FORM", "2026-11-02");
  afterConversion.check = await checkMetrics(t.hub.db.prisma);
  afterConversion.metrics = (await pilotMetrics(t, { from: "2026-07", to: "2026-12" })).body;
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("metrics of an account that leaves the flexible pool and converts back", () => {
  it("counts the exit and leaves the pool without the account while it is sealed", () => {
    expect(afterExit.check).toMatchObject({ ok: true, differences: [] });
    expect(afterExit.metrics.data!.pilotMetrics).toMatchObject({
      enrolledTotal: 1,
      exitedTotal: 1,
      activeAccounts: 0,
      depositAmount: "1000.00",
      depositCount: 1,
    });
  });

  it("counts the conversion back as an enrolment and moves the account's history to its new county and form", () => {
    expect(afterConversion.accountNumber).toBe(accountNumber);
    expect(afterConversion.check).toMatchObject({ ok: true, differences: [] });
    const metrics = afterConversion.metrics.data!.pilotMetrics;
    expect(metrics).toMatchObject({
      enrolledTotal: 2,
      exitedTotal: 1,
      activeAccounts: 1,
      depositAmount: "1000.00",
      depositCount: 1,
    });
    expect(metrics.byCounty).toEqual(groupsOf(COUNTIES, { "140581": [1, "1000.00"] }));
    expect(metrics.byEmploymentForm).toEqual(
      groupsOf(["SELF_EMPLOYED", "PART_TIME", "NEW_FORM"], { NEW_FORM: [1, "1000.00"] }),
    );
    expect(metrics.monthly.map((m) => [m.period, m.enrolled, m.depositAmount])).toEqual([
      ["2026-07", 1, "1000.00"],
      ["2026-08", 0, "0.00"],
      ["2026-09", 0, "0.00"],
      ["2026-10", 0, "0.00"],
      ["2026-11", 1, "0.00"],
      ["2026-12", 0, "0.00"],
    ]);
  });
});
