// recordDeposit's group commit (decision 019): deposits that arrive together are posted in one transaction, each
// with its own result; a refusal or a failure of one never fails its neighbours; idempotency and the one payment
// per month rule are what they are one deposit at a time. Service-level calls made in one turn of the event loop
// join one batch (the batcher starts on the next turn), so which deposits share a transaction is known here.
import { Client } from "pg";

import { toMoney } from "../../../src/domain/money/money";
import { DEFAULT_DEPOSIT_BATCH } from "../../../src/services/deposits/deposit-batch";
import {
  type DepositResult,
  recordDeposit,
  type RecordDepositCommand,
  recordDepositRequest,
} from "../../../src/services/deposits/record-deposit";
import type { Actor } from "../../../src/services/hub-services";
import { type Outcome } from "../../../src/services/idempotency";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { ENROL, enrolInput, key, RECORD } from "../../factories/workers";
import { recordsPerStoredKey, waitForALockWait } from "../../helpers/group-commit";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const OPERATOR: Actor = { sub: "operator-batch-test", role: "CENTER_OPERATOR", org: "test-org" };

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
}, 60_000);

async function openAccount(): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null } }>(ENROL, {
    input: enrolInput({ enrolledOn: "2026-07-15" }),
  });
  const account = res.body.data?.enrollWorker.account;
  if (!account) throw new Error(`enrolment failed: ${JSON.stringify(res.body)}`);
  return account.accountNumber;
}

/** Accounts opened one after the other (a burst of enrolments can outlast the national check's timeout on a
 *  loaded machine; the enrolments are not what is tested here). */
async function openAccounts(n: number): Promise<string[]> {
  const accounts: string[] = [];
  for (let i = 0; i < n; i++) accounts.push(await openAccount());
  return accounts;
}

function command(
  accountNumber: string,
  overrides: Partial<Omit<RecordDepositCommand, "amount">> & { amount?: string } = {},
) {
  return {
    accountNumber,
    period: "2026-07",
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn: "2026-07-20",
    idempotencyKey: key("grp"),
    ...overrides,
    amount: toMoney(overrides.amount ?? "1000.00"),
  };
}

const deposit = (c: RecordDepositCommand, actor: Actor = OPERATOR) => recordDeposit(t.hub.services, actor, c);
const stats = () => {
  const { batches, items: deposits, largest, fallbacks } = t.hub.services.depositBatcher.stats;
  return { batches, deposits, largest, fallbacks };
};
const codes = (o: Outcome<DepositResult>) => ("ok" in o ? [] : o.userErrors.map((e) => e.code));
const okOf = (o: Outcome<DepositResult>): DepositResult => {
  if (!("ok" in o)) throw new Error(`refused: ${JSON.stringify(o.userErrors)}`);
  return o.ok;
};
const count = async (sql: TemplateStringsArray, ...values: unknown[]): Promise<number> => {
  const [row] = await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>(sql, ...values);
  return Number(row!.n);
};
const entryCount = () => count`SELECT count(*) AS n FROM ledger_entry`;
const storedKeys = (keys: string[]) =>
  count`SELECT count(*) AS n FROM idempotency_record WHERE key = ANY(${keys}::text[])`;

describe("recordDeposit group commit", () => {
  it("posts deposits that arrive together in one transaction, each with its own result, refusals beside them", async () => {
    const [a1, a2, a3, a4, a5, a6] = await openAccounts(6);
    okOf(await deposit(command(a5!, { period: "2026-07" }))); // a5 has paid July already
    const entriesBefore = await entryCount();
    const before = stats();
    const commands = [
      command(a1!, { amount: "1000.00" }),
      command(a2!, { amount: "1200.50" }),
      command(a5!, { period: "2026-07", amount: "800.00" }), // the month is paid
      command(a3!, { amount: "216.00" }), // the floor exactly
      command(a4!, { amount: "215.99" }), // one fen below the floor
      command("140599000000001", { amount: "1000.00" }), // no such account
      command(a6!, { amount: "0.00" }),
    ];
    const outcomes = await Promise.all(commands.map((c) => deposit(c)));

    expect(stats()).toEqual({
      batches: before.batches + 1,
      deposits: before.deposits + 7,
      largest: Math.max(before.largest, 7),
      fallbacks: before.fallbacks,
    });
    expect(outcomes.map(codes)).toEqual([
      [],
      [],
      ["MONTH_ALREADY_PAID"],
      [],
      ["AMOUNT_BELOW_MINIMUM"],
      ["ACCOUNT_NOT_FOUND"],
      ["AMOUNT_NOT_POSITIVE"],
    ]);
    const posted = [outcomes[0]!, outcomes[1]!, outcomes[3]!].map(okOf);
    expect(posted.map((r) => [r.account.accountNumber, r.account.balance, r.account.paidMonths])).toEqual([
      [a1, "1000.00", 1],
      [a2, "1200.50", 1],
      [a3, "216.00", 1],
    ]);
    expect(posted.map((r) => r.entries.map((e) => [e.kind, e.amount, e.period, e.balanceAfter, e.postedOn]))).toEqual([
      [["DEPOSIT", "1000.00", "2026-07", "1000.00", "2026-07-20"]],
      [["DEPOSIT", "1200.50", "2026-07", "1200.50", "2026-07-20"]],
      [["DEPOSIT", "216.00", "2026-07", "216.00", "2026-07-20"]],
    ]);
    // Three postings of two entries each; a5 still has its first July deposit only.
    expect(await entryCount()).toBe(entriesBefore + 6);
    expect(
      await count`SELECT count(*) AS n FROM deposit_month d JOIN account a ON a.id = d.account_id
      WHERE a.account_number = ${a5} AND d.amount = 1000.00`,
    ).toBe(1);
    // Results are stored for the posted deposits only (refusals are re-evaluated on a replay).
    expect(await storedKeys([0, 1, 3].map((i) => commands[i]!.idempotencyKey))).toBe(3);
    expect(await storedKeys([2, 4, 5, 6].map((i) => commands[i]!.idempotencyKey))).toBe(0);
    // A replay answers from the stored result and posts nothing.
    expect(await deposit(commands[1]!)).toEqual({ ok: JSON.parse(JSON.stringify(posted[1])) });
    expect(await entryCount()).toBe(entriesBefore + 6);
  });

  it("fails only the deposit whose posting throws: the batch is retried one by one and its neighbours are posted", async () => {
    const [a1, a2, a3] = await openAccounts(3);
    const before = stats();
    const entriesBefore = await entryCount();
    // Three decimals pass the rules (the amount is within the limits) but not the posting engine (fen only); over
    // GraphQL the Money scalar refuses it first, so only a caller of the service can send it.
    const [first, bad, last] = await Promise.allSettled([
      deposit(command(a1!, { amount: "1000.00" })),
      deposit(command(a2!, { amount: "1000.005" })),
      deposit(command(a3!, { amount: "300.00" })),
    ]);
    expect(stats().fallbacks).toBe(before.fallbacks + 1);
    expect(bad).toMatchObject({
      status: "rejected",
      reason: expect.objectContaining({ message: expect.stringMatching(/fen/) }),
    });
    expect(first.status === "fulfilled" && okOf(first.value).account.balance).toBe("1000.00");
    expect(last.status === "fulfilled" && okOf(last.value).account.balance).toBe("300.00");
    expect(await entryCount()).toBe(entriesBefore + 4);
  });

  it("answers the same key twice in one batch with one posting: the second request gets the first one's result", async () => {
    const a = await openAccount();
    const entriesBefore = await entryCount();
    const before = stats();
    const c = command(a);
    const [first, second] = await Promise.all([deposit(c), deposit({ ...c })]);
    expect(okOf(first).account.balance).toBe("1000.00");
    expect(second).toEqual({ ok: JSON.parse(JSON.stringify(okOf(first))) });
    expect(await entryCount()).toBe(entriesBefore + 2);
    // The second waited for the next batch, where its key's stored result answered it.
    expect(stats().batches).toBe(before.batches + 2);
  });

  it("refuses the same key with another input in one batch (IDEMPOTENCY_KEY_REUSED) and posts the first only", async () => {
    const [a, b] = await openAccounts(2);
    const entriesBefore = await entryCount();
    const k = key("same");
    const [first, other] = await Promise.all([
      deposit(command(a!, { idempotencyKey: k })),
      deposit(command(b!, { idempotencyKey: k })),
    ]);
    expect(okOf(first).account.accountNumber).toBe(a);
    expect(codes(other)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await entryCount()).toBe(entriesBefore + 2);
  });

  it("shows each account as it stood right after its own deposit when one account pays twice at once", async () => {
    const a = await openAccount();
    const [july, august] = await Promise.all([
      deposit(command(a, { period: "2026-07", paidOn: "2026-07-20", amount: "1000.00" })),
      deposit(command(a, { period: "2026-08", paidOn: "2026-08-10", amount: "1500.00" })),
    ]);
    expect(okOf(july).account).toMatchObject({ balance: "1000.00", paidMonths: 1, paidUpTo: "2026-07" });
    expect(okOf(august).account).toMatchObject({ balance: "2500.00", paidMonths: 2, paidUpTo: "2026-08" });
    expect(okOf(august).entries.map((e) => e.balanceAfter)).toEqual(["2500.00"]);
  });

  it("pays a month once when it is asked for twice under two keys at once (the first in arrival order wins)", async () => {
    const a = await openAccount();
    const entriesBefore = await entryCount();
    const [first, second] = await Promise.all([
      deposit(command(a, { amount: "1000.00" })),
      deposit(command(a, { amount: "900.00" })),
    ]);
    expect(okOf(first).account.balance).toBe("1000.00");
    expect(codes(second)).toEqual(["MONTH_ALREADY_PAID"]);
    expect(await entryCount()).toBe(entriesBefore + 2);
  });

  it("commits each request's exchange record with its deposit when many arrive over HTTP at once", async () => {
    const accounts = await openAccounts(10);
    const inputs = accounts.map((accountNumber, i) => ({
      accountNumber,
      period: "2026-07",
      amount: i === 9 ? "6000.00" : "1000.00", // the last is above the ceiling: refused
      channel: "ACTIVE_PAYMENT",
      paymentRef: key("PAY"),
      paidOn: "2026-07-20",
      idempotencyKey: key("http"),
    }));
    const answers = await Promise.all(
      inputs.map((input) =>
        t.gql<{ recordDeposit: { account: { balance: string } | null; userErrors: { code: string }[] } }>(RECORD, {
          input,
        }),
      ),
    );
    expect(answers.map((a) => a.body.data?.recordDeposit.userErrors.map((e) => e.code))).toEqual([
      ...Array.from({ length: 9 }, () => []),
      ["AMOUNT_ABOVE_MAXIMUM"],
    ]);
    expect(answers.slice(0, 9).map((a) => a.body.data?.recordDeposit.account?.balance)).toEqual(
      Array.from({ length: 9 }, () => "1000.00"),
    );
    // Each posted deposit's stored result points at exactly one exchange record of its own request, with its person.
    const rows = await recordsPerStoredKey(
      t,
      "recordDeposit",
      inputs.map((i) => i.idempotencyKey),
    );
    expect(rows).toEqual(Array.from({ length: 9 }, () => [1, 1]));
    expect(rows).toHaveLength(9);
  });
});

// A key stored by another hub process while this batch waits: PGlite has one session, so only PostgreSQL can
// hold a second transaction open beside the hub's.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres("recordDeposit group commit beside another hub process (PostgreSQL)", () => {
  it("retries a batch that hit another process's key one by one: that deposit gets the other's result, its neighbour is posted", async () => {
    const [mine, neighbour] = await openAccounts(2);
    const c = command(mine!);
    const request = recordDepositRequest(OPERATOR, c);
    const other = new Client({ connectionString: t.database.options.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(
        `INSERT INTO idempotency_record (key, operation, actor, request_hash, response) VALUES ($1, $2, $3, $4, $5)`,
        [request.key, request.operation, request.actor, request.hash, JSON.stringify({ from: "the other hub" })],
      );
      const before = stats();
      const pending = Promise.all([deposit(c), deposit(command(neighbour!))]);
      // The batch's insert under the key now waits for the other transaction's: commit it then.
      await waitForALockWait(other);
      await other.query("COMMIT");
      const [answer, posted] = await pending;
      expect(answer).toEqual({ ok: { from: "the other hub" } });
      expect(okOf(posted).account.balance).toBe("1000.00");
      expect(stats().fallbacks).toBe(before.fallbacks + 1);
      expect(
        await count`SELECT count(*) AS n FROM deposit_month d JOIN account a ON a.id = d.account_id
        WHERE a.account_number = ${mine}`,
      ).toBe(0);
    } finally {
      await other.end();
    }
  });

  it("keeps a deposit to an account of a running batch for a later batch, so that its neighbours do not wait behind that account's row lock", async () => {
    const [held, ...others] = await openAccounts(1 + DEFAULT_DEPOSIT_BATCH.flushAt);
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
      const july = deposit(command(held!));
      await waitForALockWait(other);
      // The first batch (July) waits for the held row. Enough deposits for a second batch arrive, one of them to the
      // same account: the second batch must go ahead without it.
      const august = deposit(command(held!, { period: "2026-08", paidOn: "2026-08-10", amount: "1500.00" }));
      const neighbours = await Promise.all(others.map((a) => deposit(command(a))));
      expect(neighbours.map((n) => okOf(n).account.balance)).toEqual(others.map(() => "1000.00"));
      expect(stats().batches).toBe(before.batches + 2);
      await other.query("COMMIT");
      expect(okOf(await july).account.balance).toBe("1000.00");
      expect(okOf(await august).account.balance).toBe("2500.00");
      expect(stats().batches).toBe(before.batches + 3);
    } finally {
      await other.end();
    }
  });
});
