import { loadDemoData } from "../../../src/jobs/demo-data";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
}, 180_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

test("the demo data includes withdrawals (one payout failed), exits, one settled interest year, accounts that move, a fraud ban and loans in every state", async () => {
  const summary = await loadDemoData(t.hub.services, "2026-11-20", 40);
  expect(summary.interestYear).toBe(2025);
  expect(summary.withdrawals).toBeGreaterThan(0);
  expect(summary.exits).toBeGreaterThan(0);
  const prisma = t.hub.db.prisma;
  expect(await prisma.interestSettlement.findUnique({ where: { settlementYear: 2025 } })).not.toBeNull();
  expect(await prisma.payout.count({ where: { status: "FAILED" } })).toBe(1);
  expect(await prisma.payout.count({ where: { status: "PAID", kind: "WITHDRAWAL" } })).toBe(summary.withdrawals - 1);
  expect(await prisma.account.count({ where: { status: "CLOSED", closeCode: "05" } })).toBe(summary.exits);
  // Accounts that move: one converted, one transferred in (SEALED until enrolment), three pre-pilot accounts (one
  // enrolled on), one transferred out (closed with 04).
  expect(summary).toMatchObject({ converted: 1, transferredIn: 1, legacyAccounts: 3, transferredOut: 1 });
  expect(await prisma.account.count({ where: { kind: "EMPLOYER", employerName: { not: null } } })).toBe(1);
  expect(await prisma.transferIn.count()).toBe(1);
  expect(await prisma.carriedHistory.count({ where: { source: "LEGACY" } })).toBe(3);
  expect(await prisma.account.count({ where: { accountNumber: "1405009000000001", status: "ACTIVE" } })).toBe(1);
  expect(await prisma.account.count({ where: { status: "CLOSED", closeCode: "04" } })).toBe(1);
  // One worker under a withdrawal-fraud ban decided two months before 2026-11-20 (2026-09-10), for 3 years.
  expect(summary.bans).toBe(1);
  const bans = await prisma.fraudBan.findMany({ select: { kind: true, decidedOn: true, until: true, source: true } });
  expect(bans).toEqual([
    {
      kind: "WITHDRAWAL_FRAUD",
      decidedOn: new Date("2026-09-10T00:00:00Z"),
      until: new Date("2029-09-10T00:00:00Z"),
      source: "CENTER",
    },
  ]);
  // loans relative to 2026-11: written off (disbursed 2026-01, its 2026-02 instalment 6 months overdue in the run of
  // 2026-08), settled, repaid by offsets, overdue (disbursed 2026-07, its 2026-08 instalment unpaid), approved today
  const states = await prisma.loan.findMany({ select: { loanNumber: true, status: true } });
  const statusOf = (n: string | undefined) => states.find((l) => l.loanNumber === n)?.status;
  expect({
    writtenOff: statusOf(summary.loans.WRITTEN_OFF),
    settled: statusOf(summary.loans.SETTLED),
    offset: statusOf(summary.loans.OFFSET),
    overdue: statusOf(summary.loans.OVERDUE),
    approved: statusOf(summary.loans.APPROVED),
  }).toEqual({
    writtenOff: "WRITTEN_OFF",
    settled: "SETTLED",
    offset: "DISBURSED",
    overdue: "DISBURSED",
    approved: "APPROVED",
  });
  const overdue = await prisma.loanInstalment.count({
    where: { status: "OVERDUE", loan: { loanNumber: summary.loans.OVERDUE } },
  });
  expect(overdue).toBeGreaterThan(0);
  expect(await prisma.fiscalClaim.count({ where: { kind: "RISK_COMPENSATION" } })).toBe(1);
}, 600_000); // 40 workers' two years of history, then ten monthly loan runs, on 2 shared cores
