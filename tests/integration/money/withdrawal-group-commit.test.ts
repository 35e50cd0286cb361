// withdraw's group commit (decision 051): withdrawals that arrive together are posted in one transaction, each with
// its own result; each is judged on its own account's facts (balance, loans, bans) exactly as alone; a refusal or a
// failure of one never fails its neighbours; idempotency is what it is one withdrawal at a time. Service-level calls
// made in one turn of the event loop join one batch (the queue starts it on the next turn), so which withdrawals share
// a transaction is known here.
import { Client } from "pg";

import { toMoney } from "../../../src/domain/money/money";
import type { Actor } from "../../../src/services/hub-services";
import type { Outcome } from "../../../src/services/idempotency";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import {
  DEFAULT_WITHDRAWAL_BATCH,
  type MoneyOutResult,
  withdraw,
  type WithdrawCommand,
  withdrawRequest,
} from "../../../src/services/withdrawals/withdraw";
import { openWithDeposits, WITHDRAW } from "../../factories/money";
import { key } from "../../factories/workers";
import { recordsPerStoredKey, waitForALockWait } from "../../helpers/group-commit";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const OPERATOR: Actor = { sub: "operator-wd-batch-test", role: "CENTER_OPERATOR", org: "test-org" };
const TWO_MONTHS: [string, string, string][] = [
  ["2026-07", "1000.00", "2026-07-10"],
  ["2026-08", "1000.00", "2026-08-10"],
];

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
}, 60_000);

/** Accounts holding 2,000.00 each (two months of 1,000.00). */
async function openAccounts(n: number): Promise<string[]> {
  const accounts: string[] = [];
  for (let i = 0; i < n; i++) accounts.push(await openWithDeposits(t, "2026-07-01", TWO_MONTHS));
  return accounts;
}

function command(accountNumber: string, amount: string, overrides: Partial<WithdrawCommand> = {}): WithdrawCommand {
  return {
    accountNumber,
    amount: toMoney(amount),
    requestedOn: "2026-09-01",
    idempotencyKey: key("wdb"),
    ...overrides,
  };
}

const withdrawNow = (c: WithdrawCommand, actor: Actor = OPERATOR) => withdraw(t.hub.services, actor, c);
const stats = () => ({ ...t.hub.services.withdrawalBatcher.stats });
const codes = (o: Outcome<MoneyOutResult>) => ("ok" in o ? [] : o.userErrors.map((e) => e.code));
const okOf = (o: Outcome<MoneyOutResult>): MoneyOutResult => {
  if (!("ok" in o)) throw new Error(`refused: ${JSON.stringify(o.userErrors)}`);
  return o.ok;
};
const count = async (sql: TemplateStringsArray, ...values: unknown[]): Promise<number> => {
  const [row] = await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>(sql, ...values);
  return Number(row!.n);
};
const withdrawalPostings = () => count`SELECT count(*) AS n FROM posting WHERE kind = 'WITHDRAWAL'`;
const balanceOf = async (accountNumber: string): Promise<string> => {
  const [row] = await t.hub.db.prisma.$queryRaw<{ balance: string }[]>`
    SELECT la.balance::text AS balance FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
    WHERE a.account_number = ${accountNumber}`;
  return row!.balance;
};

/** A loan in application (APPROVED) for the person holding the account: it blocks withdrawals (domain.md). */
async function approvedLoanFor(accountNumber: string): Promise<void> {
  const account = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber } });
  await t.hub.db.prisma.loan.create({
    data: {
      loanNumber: key("LN"),
      accountId: account.id,
      personId: account.personId,
      status: "APPROVED",
      amount: "100000.00",
      annualRate: "0.02850",
      termMonths: 120,
      method: "EQUAL_INSTALMENT",
      offsetFromBalance: false,
      appliedOn: new Date("2026-08-20"),
      monthlyIncome: "8000.00",
      housePrice: "600000.00",
      firstHome: true,
      quota: {},
    },
  });
}

/** A withdrawal-fraud ban decided on `decidedOn` for the person holding the account (three years). */
async function banFor(accountNumber: string, decidedOn: string): Promise<void> {
  const account = await t.hub.db.prisma.account.findUniqueOrThrow({
    where: { accountNumber },
    include: { person: true },
  });
  const res = await t.gql<{ recordFraudBan: { userErrors: unknown[] } }>(
    `mutation Ban($input: FraudBanInput!) { recordFraudBan(input: $input) { userErrors { code } } }`,
    {
      input: {
        idNumber: account.person.idNumber,
        kind: "WITHDRAWAL_FRAUD",
        decidedOn,
        reason: "伪造租房合同骗取提取",
        idempotencyKey: key("ban"),
      },
    },
    { as: "CENTER_ADMIN", sub: "admin-wd-batch" },
  );
  expect(res.body.data?.recordFraudBan.userErrors).toEqual([]);
}

describe("withdraw group commit", () => {
  it("posts withdrawals that arrive together in one transaction, each judged on its own account, refusals beside them", async () => {
    const [small, over, all, loaned, banned, bannedLater] = await openAccounts(6);
    await approvedLoanFor(loaned!);
    await banFor(banned!, "2026-08-20");
    await banFor(bannedLater!, "2026-09-02"); // decided after the request's date: not in force on it
    const before = stats();
    const entriesBefore = await withdrawalPostings();
    const commands = [
      command(small!, "300.00"),
      command(over!, "2000.01"),
      command(all!, "2000.00"),
      command("1405009999999999", "1.00"),
      command(loaned!, "10.00"),
      command(banned!, "10.00"),
      command(bannedLater!, "10.00"),
    ];
    const outcomes = await Promise.all(commands.map((c) => withdrawNow(c)));
    expect(outcomes.map(codes)).toEqual([
      [],
      ["EXCEEDS_WITHDRAWABLE"],
      [],
      ["ACCOUNT_NOT_FOUND"],
      ["LOAN_OUTSTANDING"],
      ["BANNED"],
      [],
    ]);
    expect(stats().batches).toBe(before.batches + 1);
    expect(stats().items).toBe(before.items + 7);
    expect(stats().fallbacks).toBe(before.fallbacks);
    // Each result shows its own account right after its own withdrawal.
    const small1 = okOf(outcomes[0]!);
    expect(small1.account).toMatchObject({ accountNumber: small, balance: "1700.00", withdrawableBalance: "1700.00" });
    expect(small1.entry).toMatchObject({ kind: "WITHDRAWAL", amount: "-300.00", balanceAfter: "1700.00" });
    expect(small1.entry!.paymentRef).toMatch(/^WD-\d+$/);
    expect(small1.entries).toEqual([small1.entry]);
    expect(okOf(outcomes[2]!).account).toMatchObject({ accountNumber: all, balance: "0.00" });
    expect(okOf(outcomes[6]!).account).toMatchObject({ accountNumber: bannedLater, balance: "1990.00" });
    expect(await withdrawalPostings()).toBe(entriesBefore + 3);
    expect([await balanceOf(over!), await balanceOf(loaned!), await balanceOf(banned!)]).toEqual([
      "2000.00",
      "2000.00",
      "2000.00",
    ]);
    // One payout per posted withdrawal, each under its own reference.
    const refs = [0, 2, 6].map((i) => okOf(outcomes[i]!).entry!.paymentRef);
    expect(new Set(refs).size).toBe(3);
    expect(await count`SELECT count(*) AS n FROM payout WHERE payout_ref = ANY(${refs}::text[])`).toBe(3);
    // A replay answers the stored result; a refusal was not stored, so its replay is judged again.
    expect(await withdrawNow(commands[0]!)).toEqual({ ok: JSON.parse(JSON.stringify(small1)) });
    expect(codes(await withdrawNow(commands[1]!))).toEqual(["EXCEEDS_WITHDRAWABLE"]);
    expect(await withdrawalPostings()).toBe(entriesBefore + 3);
  });

  it("fails only the withdrawal whose write fails: the batch is run again one by one and its neighbours are posted", async () => {
    const [refusedByDb, first, second] = await openAccounts(3);
    // The database refuses one account's payout (as a constraint or an outage of one row would): the batch fails.
    const { id } = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber: refusedByDb! } });
    await t.hub.db.prisma.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_refuse_payout() RETURNS trigger AS $$
      BEGIN IF NEW.account_id = ${id} THEN RAISE EXCEPTION 'payout refused by the test'; END IF; RETURN NEW; END $$
      LANGUAGE plpgsql`);
    await t.hub.db.prisma.$executeRawUnsafe(
      `CREATE TRIGGER test_refuse_payout BEFORE INSERT ON payout FOR EACH ROW EXECUTE FUNCTION test_refuse_payout()`,
    );
    try {
      const before = stats();
      const [a, b, c] = await Promise.allSettled([
        withdrawNow(command(first!, "100.00")),
        withdrawNow(command(refusedByDb!, "100.00")),
        withdrawNow(command(second!, "200.00")),
      ]);
      expect(stats().batches).toBe(before.batches + 1);
      expect(stats().fallbacks).toBe(before.fallbacks + 1);
      expect(a.status === "fulfilled" && okOf(a.value).account.balance).toBe("1900.00");
      expect(c.status === "fulfilled" && okOf(c.value).account.balance).toBe("1800.00");
      expect(b.status).toBe("rejected");
      expect(await balanceOf(refusedByDb!)).toBe("2000.00");
    } finally {
      await t.hub.db.prisma.$executeRawUnsafe(`DROP TRIGGER test_refuse_payout ON payout`);
      await t.hub.db.prisma.$executeRawUnsafe(`DROP FUNCTION test_refuse_payout()`);
    }
  });

  it("answers the same key twice in one batch with one withdrawal: the second request gets the first one's result", async () => {
    const [a] = await openAccounts(1);
    const c = command(a!, "250.00");
    const before = await withdrawalPostings();
    const [first, second] = await Promise.all([withdrawNow(c), withdrawNow({ ...c })]);
    expect(second).toEqual({ ok: JSON.parse(JSON.stringify(okOf(first))) });
    expect(okOf(first).account.balance).toBe("1750.00");
    expect(await withdrawalPostings()).toBe(before + 1);
  });

  it("refuses the same key with another input in one batch (IDEMPOTENCY_KEY_REUSED) and posts the first only", async () => {
    const [a, b] = await openAccounts(2);
    const k = key("same");
    const [first, second] = await Promise.all([
      withdrawNow(command(a!, "100.00", { idempotencyKey: k })),
      withdrawNow(command(b!, "100.00", { idempotencyKey: k })),
    ]);
    expect(okOf(first).account.balance).toBe("1900.00");
    expect(codes(second)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await balanceOf(b!)).toBe("2000.00");
  });

  it("shows each withdrawal's account as it stood right after it when one account withdraws twice at once", async () => {
    const [a] = await openAccounts(1);
    const before = stats();
    const [first, second, third] = await Promise.all([
      withdrawNow(command(a!, "1500.00")),
      withdrawNow(command(a!, "400.00")),
      withdrawNow(command(a!, "200.00")), // 100.00 left by then
    ]);
    expect(okOf(first).account.balance).toBe("500.00");
    expect(okOf(second).entry).toMatchObject({ amount: "-400.00", balanceAfter: "100.00" });
    expect(codes(third)).toEqual(["EXCEEDS_WITHDRAWABLE"]);
    // One withdrawal per account per batch: three batches.
    expect(stats().batches).toBe(before.batches + 3);
    expect(await balanceOf(a!)).toBe("100.00");
  });

  it("commits each request's exchange record with its withdrawal when many arrive over HTTP at once", async () => {
    const accounts = await openAccounts(8);
    const inputs = accounts.map((accountNumber, i) => ({
      accountNumber,
      amount: i === 7 ? "2000.01" : "100.00", // the last is over the balance: refused, no record of a write
      requestedOn: "2026-09-01",
      idempotencyKey: key("http"),
    }));
    const answers = await Promise.all(
      inputs.map((input) =>
        t.gql<{ withdraw: { account: { balance: string } | null; userErrors: { code: string }[] } }>(WITHDRAW, {
          input,
        }),
      ),
    );
    expect(answers.map((a) => a.body.data?.withdraw.userErrors.map((e) => e.code))).toEqual([
      ...Array.from({ length: 7 }, () => []),
      ["EXCEEDS_WITHDRAWABLE"],
    ]);
    expect(answers.slice(0, 7).map((a) => a.body.data?.withdraw.account?.balance)).toEqual(
      Array.from({ length: 7 }, () => "1900.00"),
    );
    // Each posted withdrawal's stored result points at exactly one exchange record of its own request, with its person.
    const rows = await recordsPerStoredKey(
      t,
      "withdraw",
      inputs.map((i) => i.idempotencyKey),
    );
    expect(rows).toEqual(Array.from({ length: 7 }, () => [1, 1]));
  });
});

// A key stored by another hub process while this batch waits: PGlite has one session, so only PostgreSQL can
// hold a second transaction open beside the hub's.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres("withdraw group commit beside another hub process (PostgreSQL)", () => {
  it("retries a batch that hit another process's key one by one: that withdrawal gets the other's result, its neighbour is posted", async () => {
    const [mine, neighbour] = await openAccounts(2);
    const c = command(mine!, "100.00");
    const request = withdrawRequest(OPERATOR, c);
    const other = new Client({ connectionString: t.database.options.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(
        `INSERT INTO idempotency_record (key, operation, actor, request_hash, response) VALUES ($1, $2, $3, $4, $5)`,
        [request.key, request.operation, request.actor, request.hash, JSON.stringify({ from: "the other hub" })],
      );
      const before = stats();
      const pending = Promise.all([withdrawNow(c), withdrawNow(command(neighbour!, "300.00"))]);
      // The batch's insert under the key now waits for the other transaction's: commit it then.
      await waitForALockWait(other);
      await other.query("COMMIT");
      const [answer, posted] = await pending;
      expect(answer).toEqual({ ok: { from: "the other hub" } });
      expect(okOf(posted).account.balance).toBe("1700.00");
      expect(stats().fallbacks).toBe(before.fallbacks + 1);
      expect(await balanceOf(mine!)).toBe("2000.00");
    } finally {
      await other.end();
    }
  });

  it("keeps a withdrawal from an account of a running batch for a later batch, so that its neighbours do not wait behind that account's row lock", async () => {
    const [held, ...others] = await openAccounts(1 + DEFAULT_WITHDRAWAL_BATCH.flushAt);
    const other = new Client({ connectionString: t.database.options.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(
        `SELECT la.id FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
         WHERE a.account_number = $1 FOR UPDATE OF la`,
        [held],
      );
      const before = stats();
      const firstHeld = withdrawNow(command(held!, "100.00"));
      await waitForALockWait(other);
      // The first batch waits for the held row. Enough withdrawals for a second batch arrive, one of them from the
      // same account: the second batch must go ahead without it.
      const secondHeld = withdrawNow(command(held!, "200.00"));
      const neighbours = await Promise.all(others.map((a) => withdrawNow(command(a, "50.00"))));
      expect(neighbours.map((n) => okOf(n).account.balance)).toEqual(others.map(() => "1950.00"));
      expect(stats().batches).toBe(before.batches + 2);
      await other.query("COMMIT");
      expect(okOf(await firstHeld).account.balance).toBe("1900.00");
      expect(okOf(await secondHeld).account.balance).toBe("1700.00");
      expect(stats().batches).toBe(before.batches + 3);
    } finally {
      await other.end();
    }
  });
});
