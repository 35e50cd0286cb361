// The rollups plus pending deltas equal a full recomputation from the source tables after every step of a random
// (seeded, so reproducible) sequence of enrolments, refused duplicates, deposits, back payments, lump sums, bank
// collection files, concurrent bursts and compactions at random points.
import { addMonths, monthOf, monthsBetween } from "../../../src/domain/calendar/calendar";
import { formatMoney, toMoney } from "../../../src/domain/money/money";
import { compactMetrics } from "../../../src/jobs/metrics-compaction";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { COUNTIES, pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { ENROL, enrolInput, freshIdNumber, key, LUMP, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const SEED = 20261128;
const STEPS = 60;
const FORMS = ["SELF_EMPLOYED", "PART_TIME", "NEW_FORM"] as const;
const AMOUNTS = ["216.00", "300.00", "500.00", "1000.00", "1234.56"] as const;
const LAST_PERIOD = "2027-06";
const IMPORT = `mutation Import($csv: String!, $key: String!) { importBankCollection(csv: $csv, idempotencyKey: $key) { accepted missed rejected } }`;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Worker {
  accountNumber: string;
  lumpSum: boolean;
  nextPeriod: string;
}

let t: TestHub;
const random = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const workers: Worker[] = [];
const payable = () => workers.filter((w) => !w.lumpSum && monthsBetween(w.nextPeriod, LAST_PERIOD) >= 0);

const reports: { after: string; ok: boolean; differences: unknown[] }[] = [];
const done: string[] = [];

beforeAll(async () => {
  t = await startTestHub();
  await setMinimumCellSize(t, 1); // these tests are about the exact figures: every cell published
  for (let i = 0; i < STEPS; i++) {
    done.push(await step());
    const report = await checkMetrics(t.hub.db.prisma);
    reports.push({ after: done.join(", "), ok: report.ok, differences: report.differences });
  }
  // Dozens of steps, each followed by a full recomputation: over a minute on a shared 2-core machine.
}, 240_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

async function enrol(lumpSum: boolean): Promise<void> {
  const enrolledOn = `2026-${pick(["07", "08", "09", "10", "11", "12"])}-${String(1 + Math.floor(random() * 27)).padStart(2, "0")}`;
  const input = enrolInput({
    countyCode: pick(COUNTIES),
    employmentForm: pick(FORMS),
    enrolledOn,
    monthlyAmount: pick(AMOUNTS),
    mode: lumpSum ? "LUMP_SUM" : "MONTHLY",
  });
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    { input },
  );
  expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
  workers.push({
    accountNumber: res.body.data!.enrollWorker.account!.accountNumber,
    lumpSum,
    nextPeriod: monthOf(enrolledOn),
  });
}

async function refusedDuplicate(): Promise<void> {
  const idNumber = freshIdNumber("1992-02-02", "440305");
  t.national.control.addRecord({
    idNumber,
    centerCode: "440300",
    accountNumber: `44030${Math.floor(random() * 1e6)}`,
    kind: "FLEXIBLE",
    status: "ACTIVE",
  });
  const res = await t.gql<{ enrollWorker: { userErrors: { code: string }[] } }>(ENROL, {
    input: enrolInput({ idNumber, countyCode: pick(COUNTIES), employmentForm: pick(FORMS), enrolledOn: "2026-10-10" }),
  });
  expect(res.body.data!.enrollWorker.userErrors.map((e) => e.code)).toEqual(["DUPLICATE_ACCOUNT"]);
}

/** The worker's next month, paid in that month or (a back payment) later in the settlement year. */
async function deposit(w: Worker): Promise<void> {
  const late = Math.floor(random() * (monthsBetween(w.nextPeriod, LAST_PERIOD) + 1) * 0.5);
  const input = {
    accountNumber: w.accountNumber,
    period: w.nextPeriod,
    amount: pick(AMOUNTS),
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn: `${addMonths(w.nextPeriod, late)}-28`,
    idempotencyKey: key("dep"),
  };
  w.nextPeriod = addMonths(w.nextPeriod, 1);
  const res = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, { input });
  expect(res.body.data!.recordDeposit.userErrors).toEqual([]);
}

async function lumpSum(w: Worker): Promise<void> {
  const res = await t.gql<{ account: { monthlyAmount: string } }>(
    `query($n: String!) { account(accountNumber: $n) { monthlyAmount } }`,
    { n: w.accountNumber },
  );
  const months = monthsBetween(w.nextPeriod, LAST_PERIOD) + 1;
  const amount = toMoney(res.body.data!.account.monthlyAmount).times(months).toFixed(2);
  const input = {
    accountNumber: w.accountNumber,
    settlementYear: 2026,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("LUMP"),
    paidOn: `${w.nextPeriod}-28`,
    idempotencyKey: key("lump"),
  };
  w.nextPeriod = addMonths(LAST_PERIOD, 1);
  const paid = await t.gql<{ payLumpSum: { userErrors: unknown[] } }>(LUMP, { input });
  expect(paid.body.data!.payLumpSum.userErrors).toEqual([]);
}

/** A bank file with a few collected and a few failed rows (a failed month stays unpaid). */
async function bankFile(): Promise<void> {
  const lines = ["paymentRef,accountNumber,period,amount,paidOn,result,reason"];
  const rows = new Set(Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(payable())));
  let collected = 0;
  for (const w of rows) {
    const failed = random() < 0.3;
    lines.push(
      `${key("BK")},${w.accountNumber},${w.nextPeriod},${pick(AMOUNTS)},${w.nextPeriod}-28,${failed ? "FAILED,余额不足" : "SUCCESS,"}`,
    );
    if (!failed) {
      w.nextPeriod = addMonths(w.nextPeriod, 1);
      collected++;
    }
  }
  const res = await t.gql<{ importBankCollection: { accepted: number; missed: number; rejected: number } }>(IMPORT, {
    csv: lines.join("\n"),
    key: key("imp"),
  });
  expect(res.body.data!.importBankCollection).toEqual({
    accepted: collected,
    missed: rows.size - collected,
    rejected: 0,
  });
}

/** Deposits of several workers and a compaction, all at once. */
async function burst(): Promise<void> {
  const chosen = [...new Set(Array.from({ length: 4 }, () => pick(payable())))];
  await Promise.all([...chosen.map((w) => deposit(w)), compactMetrics(t.hub.db.prisma)]);
}

async function step(): Promise<string> {
  const r = random();
  if (workers.length < 4 || r < 0.15) return enrol(random() < 0.25).then(() => "enrol");
  if (r < 0.2) return refusedDuplicate().then(() => "duplicate");
  if (r < 0.3) return compactMetrics(t.hub.db.prisma).then(() => "compact");
  const lumps = workers.filter((w) => w.lumpSum && monthsBetween(w.nextPeriod, LAST_PERIOD) >= 0);
  if (r < 0.4 && lumps.length > 0) return lumpSum(pick(lumps)).then(() => "lump sum");
  if (payable().length === 0) return enrol(false).then(() => "enrol");
  if (r < 0.55) return bankFile().then(() => "bank file");
  if (r < 0.65) return burst().then(() => "burst");
  return deposit(pick(payable())).then(() => "deposit");
}

describe("metric rollups", () => {
  it("equal a full recomputation after every step of a random sequence of postings, enrolments and compactions", async () => {
    expect(reports).toHaveLength(STEPS);
    expect(reports.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(done)).toEqual(
      new Set(["enrol", "duplicate", "compact", "lump sum", "bank file", "burst", "deposit"]),
    );
  });

  it("agree with totals taken straight from accounts, deposit months and duplicate checks", async () => {
    const prisma = t.hub.db.prisma;
    const [totals] = await prisma.$queryRaw<{ amount: { toFixed(): string }; payments: bigint }[]>`
      SELECT coalesce(sum(amount), 0) AS amount, count(DISTINCT posting_id) AS payments FROM deposit_month`;
    const metrics = (await pilotMetrics(t, { from: "2026-07", to: "2027-06" })).body.data!.pilotMetrics;
    expect(metrics).toMatchObject({
      enrolledTotal: await prisma.account.count(),
      activeAccounts: await prisma.account.count({ where: { status: "ACTIVE" } }),
      depositAmount: formatMoney(toMoney(totals!.amount)),
      depositCount: Number(totals!.payments),
      duplicateBlocks: await prisma.duplicateCheck.count(),
    });
  });

  it("reports a rollup that no longer matches its sources, naming the month, county, form and measure", async () => {
    const prisma = t.hub.db.prisma;
    await compactMetrics(prisma);
    const row = (await prisma.metricRollup.findFirst({
      where: { depositCount: { gt: 0 } },
      orderBy: { month: "asc" },
    }))!;
    const where = {
      month_countyCode_employmentForm: {
        month: row.month,
        countyCode: row.countyCode,
        employmentForm: row.employmentForm,
      },
    };
    await prisma.metricRollup.update({ where, data: { depositCount: { increment: 1 } } });
    const report = await checkMetrics(prisma);
    await prisma.metricRollup.update({ where, data: { depositCount: { decrement: 1 } } });
    expect(report).toMatchObject({
      ok: false,
      differences: [
        {
          month: row.month,
          countyCode: row.countyCode,
          employmentForm: row.employmentForm,
          column: "deposit_count",
          expected: String(row.depositCount),
          actual: String(row.depositCount + 1),
        },
      ],
    });
    expect((await checkMetrics(prisma)).ok).toBe(true);
  });
});
