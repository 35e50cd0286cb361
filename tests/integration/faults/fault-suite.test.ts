// The deterministic fault-injection suite (issue 11), on PostgreSQL. A seed (HUB_FAULT_SEED, printed at the start)
// draws the fault schedule: which operation meets which fault, at which point of its transaction; the same seed
// gives the same schedule. Faults are placed by reading the PostgreSQL wire protocol (tests/helpers/pg-fault-proxy.ts)
// and by an HTTP proxy in front of the national platform (tests/helpers/http-fault-proxy.ts), so a fault lands where
// the schedule says, and every wait is on an event (the fault fired, the process printed, the answer came):
//   1. database connections killed mid-transaction (at the posting, at the exchange record, before and after COMMIT);
//   2. the exchange-log flush failing (its batch statement killed once or twice) while reads and deposits run;
//   3. the national platform timing out, answering garbage or the wrong shape, slowly, resetting, or failing;
//   4. the hub process killed (SIGKILL) in the middle of a streamed bank import's batch transaction, restarted on the
//      same database, and the import sent again under the same idempotency key.
// After each: the ledger invariants (checkLedger), metrics:check, verifyExchangeLog, and every committed write has
// its exchange record; retries under the same key finish the work exactly once. Ends with one table:
// fault, faults injected, operations, lost, duplicated (lost = duplicated = 0 is asserted).

import { checkLedger } from "../../../src/ledger/ledger-check";
import { verifyExchangeLog } from "../../../src/services/audit/exchange-log.verify";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { ENROL, enrolInput, freshIdNumber, RECORD } from "../../factories/workers";
import { type HttpFault, type HttpFaultProxy, startHttpFaultProxy } from "../../helpers/http-fault-proxy";
import { type HubProcess, spawnHub } from "../../helpers/hub-process";
import { type PgFault, type PgFaultProxy, startPgFaultProxy } from "../../helpers/pg-fault-proxy";
import { type GqlResponse, startTestHub, TEST_SECRET, type TestHub } from "../../helpers/test-hub";

// PGlite runs inside the test process: no connection to kill, no second process to share it with. CI runs the db
// project again on PostgreSQL (DATABASE_URL), where this file runs.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

// Starting the hub's real entry point twice (SWC compiling src/) is most of this file's time on a busy machine.
jest.setTimeout(180_000);

const SEED = Number(process.env.HUB_FAULT_SEED ?? 20261202) >>> 0;
/** mulberry32: the same seed gives the same schedule. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(SEED);
const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)]!;

const HEADER = "paymentRef,accountNumber,period,amount,paidOn,result,reason";
const TIMEOUTS = { connectMs: 2000, statementMs: 5000, idleInTransactionMs: 8000 };
const TAX = `query($ids: [IdNumber!]!) { taxDeductions(taxYear: 2026, idNumbers: $ids) { idNumber } }`;

interface Row {
  fault: string;
  injected: number;
  operations: number;
  lost: number;
  duplicated: number;
}
const table: Row[] = [];
const failureCodes = new Set<string>();

let t: TestHub;
let db: PgFaultProxy;
let national: HttpFaultProxy;
let directUrl: string;
let people = 0;
const birth = () => new Date(Date.UTC(1985, 0, 1) + people++ * 86_400_000).toISOString().slice(0, 10);

type Outcome = { ok: true; body?: unknown } | { ok: false; code: string };

/** Sends until the work is done (same idempotency key each time), at most 8 times; failures must be typed. */
async function untilDone(send: () => Promise<Outcome>): Promise<{ attempts: number; first: Outcome }> {
  let first: Outcome | null = null;
  for (let attempt = 1; attempt <= 8; attempt += 1) {
    const outcome = await send();
    first ??= outcome;
    if (outcome.ok) return { attempts: attempt, first };
    failureCodes.add(outcome.code);
    expect(["CONNECTOR_UNAVAILABLE"]).toContain(outcome.code);
  }
  throw new Error("the operation did not go through in 8 attempts");
}

function outcomeOf(res: GqlResponse<Record<string, { userErrors?: { code: string }[] } | null>>): Outcome {
  const code = res.body.errors?.[0]?.extensions?.code;
  if (code) return { ok: false, code };
  const payload = Object.values(res.body.data ?? {})[0];
  const userError = payload?.userErrors?.[0]?.code;
  if (userError) return { ok: false, code: userError };
  return { ok: true, body: payload };
}

async function enrol(channel: "ACTIVE_PAYMENT" | "BANK_COLLECTION", idempotencyKey?: string): Promise<string> {
  const input = enrolInput({
    idNumber: freshIdNumber(birth()),
    channel,
    ...(channel === "BANK_COLLECTION" ? { bankAccount: "6222020000000000000" } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    { input },
  );
  expect(res.body.data?.enrollWorker.userErrors).toEqual([]);
  return res.body.data!.enrollWorker.account!.accountNumber;
}

const depositInput = (account: string, period: string, tag: string) => ({
  accountNumber: account,
  period,
  amount: "1000.00",
  channel: "ACTIVE_PAYMENT",
  paymentRef: `FS-${tag}-${account}-${period}`,
  paidOn: `${period}-20`,
  idempotencyKey: `fs-${tag}-${account}-${period}`,
});

async function sendDeposit(input: Record<string, unknown>): Promise<Outcome> {
  const res = await t
    .gql<Record<string, { userErrors?: { code: string }[] } | null>>(RECORD, { input })
    .catch(() => null);
  return res ? outcomeOf(res) : { ok: false, code: "NO_ANSWER" };
}

async function postBankFile(url: string, key: string, rows: string[]): Promise<Outcome> {
  const res = await fetch(`${url}/imports/bank-collection`, {
    method: "POST",
    headers: {
      "content-type": "text/csv",
      authorization: `Bearer ${await t.token("CENTER_OPERATOR")}`,
      "idempotency-key": key,
    },
    body: [HEADER, ...rows].join("\n") + "\n",
  }).catch(() => null);
  if (res === null) return { ok: false, code: "NO_ANSWER" };
  const body = (await res.json()) as {
    accepted?: number;
    duplicates?: number;
    missed?: number;
    errors?: { extensions?: { code?: string } }[];
  };
  if (res.status !== 200) {
    return { ok: false, code: body.errors?.[0]?.extensions?.code ?? `HTTP_${res.status}` };
  }
  return { ok: true, body };
}

/** Each account's balance and count of credit entries, as the ledger holds them. */
async function ledgerOf(accounts: string[]): Promise<Map<string, { balance: string; credits: number }>> {
  const rows = await t.hub.db.prisma.$queryRaw<{ code: string; balance: string; credits: number }[]>`
    SELECT a.code, a.balance::text AS balance,
           (SELECT count(*)::int FROM ledger_entry e WHERE e.ledger_account_id = a.id AND e.credit > 0) AS credits
    FROM ledger_account a WHERE a.code = ANY(${accounts.map((n) => `W:${n}`)}::text[])`;
  return new Map(rows.map((r) => [r.code.slice(2), { balance: r.balance, credits: r.credits }]));
}

/** Lost and duplicated payments: each account should have `credits` credits of 1000.00 (written out by hand). */
async function countPayments(expected: Record<string, number>): Promise<{ lost: number; duplicated: number }> {
  const held = await ledgerOf(Object.keys(expected));
  let lost = 0;
  let duplicated = 0;
  for (const [account, credits] of Object.entries(expected)) {
    const got = held.get(account)!;
    expect(got).toEqual({ balance: `${credits * 1000}.00`, credits });
    lost += Math.max(0, credits - got.credits);
    duplicated += Math.max(0, got.credits - credits);
  }
  return { lost, duplicated };
}

/** The invariants that must hold after every fault. */
async function expectInvariants(): Promise<void> {
  const prisma = t.hub.db.prisma;
  await t.hub.services.exchangeLog.drain();
  const ledger = await checkLedger(prisma);
  expect(ledger).toMatchObject({ ok: true, unbalancedPostings: [], balanceMismatches: [], negativeBalances: [] });
  await t.hub.metricsCompactor.runOnce();
  const metrics = await checkMetrics(prisma);
  expect(metrics.differences).toEqual([]);
  expect(metrics.ok).toBe(true);
  await t.hub.services.exchangeChainer.chainPending();
  const chain = await verifyExchangeLog(prisma, t.hub.services.exchangeChainer.anchor);
  expect(chain).toMatchObject({ ok: true, problem: null });
  // Every committed command names its request, and that request has its record (written in the same transaction).
  const unrecorded = await prisma.$queryRaw<{ key: string; operation: string }[]>`
    SELECT i.key, i.operation FROM idempotency_record i
    WHERE i.request_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM exchange_record r WHERE r.request_id = i.request_id AND r.operation = i.operation)`;
  expect(unrecorded).toEqual([]);
  // Every committed bank-file batch has its record: the rows its records say were written are the rows committed.
  // (A batch record indexes the account holders; the request's closing summary record indexes nobody.)
  const [bank] = await prisma.$queryRaw<{ committed: bigint; recorded: bigint }[]>`
    SELECT (SELECT count(*) FROM bank_payment_ref) AS committed,
           (SELECT coalesce(sum(r.result_size), 0) FROM exchange_record r WHERE r.operation = 'importBankCollection'
              AND EXISTS (SELECT 1 FROM exchange_subject s WHERE s.record_id = r.id)) AS recorded`;
  expect(bank!.recorded).toBe(bank!.committed);
}

/** Delivers what the outbox holds and stops its timer, so no delivery's own writes meet a fault meant for a test's
 *  operation (the registrations are not under test here; tests/integration/audit covers their records). */
async function deliverOutbox(): Promise<void> {
  await t.hub.outbox.stop();
  for (let round = 0; round < 20; round += 1) {
    if ((await t.hub.db.prisma.outboxMessage.count({ where: { doneAt: null } })) === 0) return;
    await t.hub.outbox.dispatchDue();
  }
  throw new Error("the outbox did not empty");
}

/** The hub's real entry point in its own process, on the suite's database (through the fault proxy). */
function startHubProcess(overrides: NodeJS.ProcessEnv = {}): Promise<HubProcess> {
  const dbUrl = new URL(directUrl);
  dbUrl.hostname = db.host;
  dbUrl.port = String(db.port);
  return spawnHub({
    DATABASE_URL: dbUrl.toString(),
    HUB_NATIONAL_URL: t.national.url,
    HUB_FINANCE_URL: t.finance.url,
    HUB_CREDIT_URL: t.credit.url,
    HUB_DEMO_DATA: "0",
    HUB_JWT_SECRET: TEST_SECRET,
    NODE_ENV: "development",
    HUB_LOG_LEVEL: "silent",
    ...overrides,
  });
}

onPostgres("deterministic fault injection (PostgreSQL)", () => {
  beforeAll(async () => {
    process.stdout.write(`\nfault suite: HUB_FAULT_SEED=${SEED} (set it to replay this schedule)\n`);
    t = await startTestHub({
      database: async (created) => {
        directUrl = created.url!;
        const url = new URL(created.url!);
        db = await startPgFaultProxy(url.hostname, Number(url.port || 5432));
        url.hostname = db.host;
        url.port = String(db.port);
        return { ...created, url: url.toString(), timeouts: TIMEOUTS };
      },
      reachConnectors: async (connectors) => {
        national = await startHttpFaultProxy(connectors.nationalUrl, { only: /^\/v1\/persons\/check/ });
        return { ...connectors, nationalUrl: national.url, timeoutMs: 500 };
      },
    });
  }, 120_000);

  afterAll(async () => {
    db?.disarm();
    await t?.close();
    await db?.close();
    await national?.close();
  });

  it("1. database connections killed mid-transaction: every deposit and bank row posts exactly once", async () => {
    const depositAccounts: string[] = [];
    const bankAccounts: string[] = [];
    for (let i = 0; i < 4; i += 1) depositAccounts.push(await enrol("ACTIVE_PAYMENT"));
    for (let i = 0; i < 4; i += 1) bankAccounts.push(await enrol("BANK_COLLECTION"));
    await deliverOutbox();
    type Op = { kind: "deposit" | "bank"; send: () => Promise<Outcome> };
    const ops: Op[] = [];
    for (const period of ["2026-07", "2026-08", "2026-09"]) {
      for (const a of depositAccounts)
        ops.push({ kind: "deposit", send: () => sendDeposit(depositInput(a, period, "db")) });
      for (const pair of [bankAccounts.slice(0, 2), bankAccounts.slice(2)]) {
        const rows = pair.map((a) => `FSB-${a}-${period},${a},${period},1000.00,${period}-21,SUCCESS,`);
        ops.push({ kind: "bank", send: () => postBankFile(t.url, `fs-bank-${period}-${pair.join("-")}`, rows) });
      }
    }
    const marker = { deposit: "INSERT INTO deposit_month", bank: "INSERT INTO bank_payment_ref" };
    let injected = 0;
    for (const op of ops) {
      const choice = pick(["none", "at-posting", "at-record", "commit-before", "commit-after"] as const);
      const fault: PgFault | null =
        choice === "none"
          ? null
          : choice === "at-posting"
            ? { kind: "at", match: "INSERT INTO ledger_entry" }
            : choice === "at-record"
              ? { kind: "at", match: "INSERT INTO exchange_record" }
              : { kind: choice, match: marker[op.kind] };
      const fired = fault ? db.arm(fault) : null;
      const { first } = await untilDone(async () => {
        const outcome = await op.send();
        db.disarm(); // one fault per operation: its retries meet none
        return outcome;
      });
      if (fired) {
        await fired; // it did fire: the first attempt met it
        // A bank file's batch that meets it fails its request. A deposit's group-commit batch that meets it is rerun
        // by the hub one deposit at a time (decision 019), so the first answer may already be the right one; either
        // way the counts below must show each payment exactly once.
        if (op.kind === "bank") expect(first.ok).toBe(false);
        injected += 1;
      }
    }
    const expected: Record<string, number> = {};
    for (const a of [...depositAccounts, ...bankAccounts]) expected[a] = 3;
    const { lost, duplicated } = await countPayments(expected);
    table.push({
      fault: "database connection killed mid-transaction",
      injected,
      operations: ops.length,
      lost,
      duplicated,
    });
    expect(injected).toBeGreaterThan(0);
    await expectInvariants();
  });

  it("2. the exchange-log flush failing: no read answered without its record, deposits exactly once", async () => {
    const accounts: string[] = [];
    const idNumbers: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const idNumber = freshIdNumber(birth());
      const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
        input: enrolInput({ idNumber }),
      });
      accounts.push(res.body.data!.enrollWorker.account.accountNumber);
      idNumbers.push(idNumber);
    }
    await deliverOutbox();
    let injected = 0;
    let operations = 0;
    let answeredWithoutRecord = 0;
    let recordedTwice = 0;
    const periods = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"];
    for (const [round, period] of periods.entries()) {
      // Each round: two agency reads and a deposit at once; the batch statement of the exchange-log writer (or
      // whatever exchange record comes first) is killed once or twice, or not at all.
      const times = pick([0, 1, 2] as const);
      const fired = times > 0 ? db.arm({ kind: "at", match: "INSERT INTO exchange_record" }, times) : null;
      const read = async () => {
        for (let attempt = 1; attempt <= 8; attempt += 1) {
          const res = await t.gql<{ taxDeductions: unknown[] }>(TAX, { ids: idNumbers }, { as: "TAX_BUREAU" });
          await t.hub.services.exchangeLog.drain();
          const records = await t.hub.db.prisma.exchangeRecord.count({ where: { requestId: res.requestId } });
          if (res.body.data?.taxDeductions) {
            if (records === 0) answeredWithoutRecord += 1;
            if (records > 1) recordedTwice += 1;
            return;
          }
          // Withheld: no data left, and no record claims it did.
          expect(res.body.errors?.[0]?.extensions?.code).toBe("CONNECTOR_UNAVAILABLE");
          expect(records).toBe(0);
        }
        throw new Error(`read of round ${round} never answered`);
      };
      await Promise.all([
        read(),
        read(),
        untilDone(() => sendDeposit(depositInput(accounts[round % 3]!, period, "log"))),
      ]);
      operations += 3;
      if (fired) {
        // A fault not met in this round (every statement already went through) is withdrawn, not counted.
        injected += times - db.disarm();
      }
    }
    const expected: Record<string, number> = { [accounts[0]!]: 2, [accounts[1]!]: 2, [accounts[2]!]: 1 };
    const payments = await countPayments(expected);
    table.push({
      fault: "exchange-log flush failing",
      injected,
      operations,
      lost: payments.lost + answeredWithoutRecord,
      duplicated: payments.duplicated + recordedTwice,
    });
    expect({ answeredWithoutRecord, recordedTwice }).toEqual({ answeredWithoutRecord: 0, recordedTwice: 0 });
    await expectInvariants();
  });

  it("3. the national platform timing out, answering garbage or slowly: each person enrolled exactly once", async () => {
    // Faults that fail a call; "slow" succeeds, so it only ever ends an enrolment's schedule (every fault drawn for
    // an enrolment is met by one of its calls before it can succeed).
    const failing: HttpFault[] = ["hang", "garbage", "wrong", "reset", "error"];
    const idNumbers: string[] = [];
    let operations = 0;
    const before = national.served.forwarded + national.served.slow;
    let scheduled = 0;
    for (let i = 0; i < 8; i += 1) {
      const faults = Array.from({ length: Math.floor(random() * 3) }, () => pick(failing));
      faults.push(random() < 0.3 ? "slow" : pick(failing));
      national.schedule(faults);
      scheduled += faults.length;
      const idNumber = freshIdNumber(birth());
      idNumbers.push(idNumber);
      const input = enrolInput({ idNumber, idempotencyKey: `fs-enrol-${SEED}-${i}-${idNumber}` });
      await untilDone(async () =>
        outcomeOf(await t.gql<Record<string, { userErrors?: { code: string }[] } | null>>(ENROL, { input })),
      );
      operations += 1;
      expect(national.pending()).toBe(0); // every scheduled fault met a call of this enrolment
    }
    expect(national.served.forwarded + national.served.slow - before).toBeGreaterThanOrEqual(idNumbers.length);
    await deliverOutbox();
    const counts = await t.hub.db.prisma.$queryRaw<{ id_number: string; accounts: number }[]>`
      SELECT p.id_number, (SELECT count(*)::int FROM account a WHERE a.person_id = p.id) AS accounts
      FROM person p WHERE p.id_number = ANY(${idNumbers}::text[])`;
    const byId = new Map(counts.map((c) => [c.id_number, c.accounts]));
    let lost = 0;
    let duplicated = 0;
    for (const id of idNumbers) {
      const n = byId.get(id) ?? 0;
      lost += n === 0 ? 1 : 0;
      duplicated += Math.max(0, n - 1);
    }
    table.push({
      fault: "national platform: hang/garbage/wrong/slow/reset/500",
      injected: scheduled,
      operations,
      lost,
      duplicated,
    });
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    await expectInvariants();
  });

  it("4. the hub process killed mid-batch during a streamed bank import, restarted, the import sent again", async () => {
    // 5,000 rows in five batches of 1,000: one SUCCESS row every 125 (8 accounts × 5 months, 1000.00 each), the
    // rest FAILED (missed collections, no money). The process is killed while batch k+1 is inside its transaction.
    const accounts: string[] = [];
    for (let i = 0; i < 8; i += 1) accounts.push(await enrol("BANK_COLLECTION"));
    await deliverOutbox();
    const months = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"];
    const prefix = `FSK${SEED}`;
    const rows = Array.from({ length: 5000 }, (_, i) => {
      if (i % 125 === 0) {
        const j = i / 125;
        const period = months[Math.floor(j / 8)]!;
        return `${prefix}-${i},${accounts[j % 8]},${period},1000.00,${period}-21,SUCCESS,`;
      }
      return `${prefix}-${i},${accounts[i % 8]},2026-07,1000.00,2026-07-21,FAILED,余额不足`;
    });
    const k = 1 + Math.floor(random() * 3); // batches committed before the kill: 1, 2 or 3
    const key = `fs-kill-import-${SEED}`;

    // One lane (decision 041): the batches commit one after the other, so what the killed process committed is the
    // file's first k batches. A round cut half-way in two lanes is the database-faults suite's (backends terminated
    // mid-round, each row posted once) and bank-import.test.ts's (two files racing for the same references).
    const oneLane = { HUB_IMPORT_LANES: "1" };
    const first = await startHubProcess(oneLane);
    // Batch k+1 writes its payment references and stops there, its transaction open: the process dies then.
    const held = db.arm({ kind: "hold", match: "INSERT INTO bank_payment_ref" }, 1, k);
    const sending = postBankFile(first.url, key, rows);
    await held;
    first.child.kill("SIGKILL");
    await first.exited;
    expect(await sending).toEqual({ ok: false, code: "NO_ANSWER" });
    const committed = async () =>
      Number(
        (
          await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>`
            SELECT count(*) AS n FROM bank_payment_ref WHERE payment_ref LIKE ${`${prefix}-%`}`
        )[0]!.n,
      );
    expect(await committed()).toBe(1000 * k); // the held batch was rolled back when its connection died
    await expectInvariants();

    const second = await startHubProcess(oneLane);
    try {
      const retried = await untilDone(() => postBankFile(second.url, key, rows));
      // Rows 0..1000k-1 were committed by the killed process: duplicates now; the rest posts (8 SUCCESS per batch).
      expect(retried.first).toMatchObject({
        ok: true,
        body: { accepted: 40 - 8 * k, missed: 4960 - 992 * k, duplicates: 1000 * k, rejected: 0 },
      });
      // Once more under the same key: the stored result, nothing posted.
      const replay = await postBankFile(second.url, key, rows);
      expect(replay).toMatchObject({ ok: true, body: { accepted: 40 - 8 * k, duplicates: 1000 * k } });
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
    expect(await committed()).toBe(5000);
    const expected: Record<string, number> = {};
    for (const a of accounts) expected[a] = 5;
    const { lost, duplicated } = await countPayments(expected);
    table.push({
      fault: `hub SIGKILL mid-batch in a streamed import (after ${k} batches), restart`,
      injected: 1,
      operations: 2,
      lost,
      duplicated,
    });
    await expectInvariants();
  });

  it("prints the table: nothing lost, nothing duplicated", () => {
    process.stdout.write(
      [
        "",
        `fault injection (HUB_FAULT_SEED=${SEED}; failures seen, all typed: ${[...failureCodes].join(", ") || "none"})`,
        "| fault | faults injected | operations | lost | duplicated |",
        "|---|---|---|---|---|",
        ...table.map((r) => `| ${r.fault} | ${r.injected} | ${r.operations} | ${r.lost} | ${r.duplicated} |`),
        "",
      ].join("\n"),
    );
    expect(table).toHaveLength(4);
    expect(table.reduce((n, r) => n + r.lost + r.duplicated, 0)).toBe(0);
  });
});
