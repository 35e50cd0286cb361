// Races on the ledger, on PostgreSQL: several requests for the same person or the same months at the same moment.
// Each must end as if the requests had come one after the other: one account per person, each month paid once
// (the loser gets a clear userError), each paid subsidy claim credited once, and the ledger balanced.
import { ENROL, enrolInput, freshIdNumber, key, LUMP, RECORD } from "../../factories/workers";
import { serverUrl } from "../../helpers/test-database";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";
import { accountState, claimedBatch, settle, subsidyPostingCount } from "../subsidies/subsidy-steps";

// PGlite runs one statement at a time in one process, so nothing here could overlap on it: these tests need a
// PostgreSQL server (DATABASE_URL; CI's second pass sets it).
const onPostgres = serverUrl() ? describe : describe.skip;

type UserErrorView = { code: string; field: string | null };
type EnrolAnswer = { enrollWorker: { account: { accountNumber: string } | null; userErrors: UserErrorView[] } };
type DepositAnswer = { account: { balance: string } | null; userErrors: UserErrorView[] };

let t: TestHub;

onPostgres("races on PostgreSQL", () => {
  beforeAll(async () => {
    t = await startTestHub();
  }, 60_000);
  afterAll(async () => {
    await expectLedgerBalanced(t);
    await t.close();
  }, 60_000);

  const enrol = async (overrides: Record<string, unknown> = {}): Promise<string> => {
    const res = await t.gql<EnrolAnswer>(ENROL, { input: enrolInput(overrides) });
    const account = res.body.data?.enrollWorker.account;
    if (!account) throw new Error(`enrolment failed: ${JSON.stringify(res.body)}`);
    return account.accountNumber;
  };

  const accountsOf = async (idNumber: string): Promise<number> => {
    const [row] = await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM account a JOIN person p ON p.id = a.person_id WHERE p.id_number = ${idNumber}`;
    return Number(row!.n);
  };

  /** Months paid more than once on an account (must always be none). */
  const monthsPaidTwice = async (accountNumber: string): Promise<string[]> => {
    const rows = await t.hub.db.prisma.$queryRaw<{ period: string }[]>`
      SELECT d.period FROM deposit_month d JOIN account a ON a.id = d.account_id
      WHERE a.account_number = ${accountNumber} GROUP BY d.period HAVING count(*) > 1`;
    return rows.map((r) => r.period);
  };
  const monthsPaid = async (accountNumber: string): Promise<number> => {
    const [row] = await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM deposit_month d JOIN account a ON a.id = d.account_id
      WHERE a.account_number = ${accountNumber}`;
    return Number(row!.n);
  };

  it("opens one account when the same person is enrolled six times at once", async () => {
    const idNumber = freshIdNumber("1991-03-09");
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => t.gql<EnrolAnswer>(ENROL, { input: enrolInput({ idNumber }) })),
    );
    for (const a of answers) expect(a.body.errors).toBeUndefined();
    const payloads = answers.map((a) => a.body.data!.enrollWorker);
    const opened = payloads.filter((p) => p.account !== null);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.userErrors).toEqual([]);
    // Every loser is told why: already enrolled here (or, once the outbox registered the winner, a duplicate nationally).
    for (const p of payloads.filter((x) => x.account === null)) {
      expect(p.userErrors).toHaveLength(1);
      expect(["ALREADY_ENROLLED", "DUPLICATE_ACCOUNT"]).toContain(p.userErrors[0]!.code);
      expect(p.userErrors[0]!.field).toBe("idNumber");
    }
    expect(await accountsOf(idNumber)).toBe(1);
  });

  it("pays each month once when a lump sum and a monthly deposit for overlapping months arrive at once", async () => {
    // Five accounts, five races, so that both orders are likely to happen; each race must end the same way.
    const accounts = await Promise.all(Array.from({ length: 5 }, () => enrol({ monthlyAmount: "1000.00" })));
    const races = await Promise.all(
      accounts.map((accountNumber) =>
        Promise.all([
          t.gql<{ payLumpSum: DepositAnswer }>(LUMP, {
            input: {
              accountNumber,
              settlementYear: 2026, // July 2026 to June 2027: twelve months of 1000.00
              amount: "12000.00",
              channel: "ACTIVE_PAYMENT",
              paymentRef: key("LUMP"),
              paidOn: "2026-07-20",
              idempotencyKey: key("lump"),
            },
          }),
          t.gql<{ recordDeposit: DepositAnswer }>(RECORD, {
            input: {
              accountNumber,
              period: "2026-07", // the month of payment: the first month the lump sum covers
              amount: "1000.00",
              channel: "ACTIVE_PAYMENT",
              paymentRef: key("DEP"),
              paidOn: "2026-07-20",
              idempotencyKey: key("dep"),
            },
          }),
        ]),
      ),
    );
    for (const [i, [lump, deposit]] of races.entries()) {
      const accountNumber = accounts[i]!;
      expect(lump.body.errors).toBeUndefined();
      expect(deposit.body.errors).toBeUndefined();
      const l = lump.body.data!.payLumpSum;
      const d = deposit.body.data!.recordDeposit;
      // Exactly one wins; the loser gets a userError and no account change.
      expect([l.userErrors.length === 0, d.userErrors.length === 0].filter(Boolean)).toHaveLength(1);
      if (l.userErrors.length === 0) {
        expect(d).toMatchObject({ account: null, userErrors: [{ code: "MONTH_ALREADY_PAID", field: "period" }] });
        expect(await monthsPaid(accountNumber)).toBe(12);
        expect((await accountState(t, accountNumber)).balance).toBe("12000.00");
      } else {
        // 2026-07 is paid: eleven months are left, and 12000.00 is not eleven times 1000.00.
        expect(l).toMatchObject({ account: null, userErrors: [{ code: "LUMP_SUM_AMOUNT_MISMATCH" }] });
        expect(await monthsPaid(accountNumber)).toBe(1);
        expect((await accountState(t, accountNumber)).balance).toBe("1000.00");
      }
      expect(await monthsPaidTwice(accountNumber)).toEqual([]);
    }
  });

  it("credits a subsidy once and every deposit once when settlement runs during a deposit batch", async () => {
    const bank = { channel: "BANK_COLLECTION", bankAccount: "6222020000000000000" };
    // A bachelor graduate (graduated 2024-06-30) paying 300.00 is due a subsidy of 150.00 for the month.
    const graduate = await enrol({ ...bank, education: "BACHELOR", graduationDate: "2024-06-30" });
    const others = await Promise.all(Array.from({ length: 4 }, () => enrol(bank)));
    const dep = await t.gql<{ recordDeposit: DepositAnswer }>(RECORD, {
      input: {
        accountNumber: graduate,
        period: "2026-08",
        amount: "300.00",
        channel: "BANK_COLLECTION",
        paymentRef: key("ref"),
        paidOn: "2026-08-10",
        idempotencyKey: key(),
      },
    });
    expect(dep.body.data?.recordDeposit.userErrors).toEqual([]);
    const batch = await claimedBatch(t, "2026-08");
    const subsidiesBefore = await subsidyPostingCount(t);
    const ref = () =>
      `BK${key("")
        .replace(/[^0-9a-z]/gi, "")
        .slice(0, 16)}`;
    const csv = [
      "paymentRef,accountNumber,period,amount,paidOn,result,reason",
      `${ref()},${graduate},2026-09,300.00,2026-09-10,SUCCESS,`,
      ...others.map((a) => `${ref()},${a},2026-09,1000.00,2026-09-10,SUCCESS,`),
    ].join("\n");
    const [settled, imported] = await Promise.all([
      settle(t, batch.batchNo),
      t.gql<{ importBankCollection: { accepted: number; errors: unknown[] } }>(
        `mutation I($csv: String!, $key: String!) { importBankCollection(csv: $csv, idempotencyKey: $key) { accepted errors { code } } }`,
        { csv, key: key("imp") },
      ),
    ]);
    expect(settled.body.data?.settleGraduateSubsidies.batch).toMatchObject({ status: "PAID", paidAmount: "150.00" });
    expect(imported.body.data?.importBankCollection).toEqual({ accepted: 5, errors: [] });
    expect(await subsidyPostingCount(t)).toBe(subsidiesBefore + 1);
    // 300.00 (August) + 150.00 (subsidy) + 300.00 (September) = 750.00.
    expect(await accountState(t, graduate)).toMatchObject({
      balance: "750.00",
      subsidies: [{ amount: "150.00", period: "2026-08" }],
    });
    for (const a of others) expect((await accountState(t, a)).balance).toBe("1000.00");
    expect(await monthsPaidTwice(graduate)).toEqual([]);
  });
});
