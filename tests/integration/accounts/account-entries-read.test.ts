// `account { ... entries }` is one SQL statement (decision 027): the account view and its page of ledger entries,
// built as JSON in SQL, through the driver. Proven by the database's statement counter (every Prisma statement and,
// on PostgreSQL, every driver read) around the resolvers run in process, by graphql-js and by graphql-jit; and its
// answers are equal to the old path's (the account view, then the entries through Prisma in three statements, as
// main had it until decision 027) and to hand-written values on a hand-made account.
import "reflect-metadata";

import { execute, parse } from "graphql";
import { compileQuery, isCompiledQuery } from "graphql-jit";
import pino from "pino";

import { Role } from "../../../src/auth/role";
import { createLoaders, type HubContext } from "../../../src/context";
import type { QueryCounter } from "../../../src/db/query-counter";
import { formatMoney, toMoney } from "../../../src/domain/money/money";
import type { PrismaClient } from "../../../src/generated/prisma/client";
import { buildHubSchema } from "../../../src/graphql/build-schema";
import { accountView } from "../../../src/services/accounts/account-view";
import { encodeCursor, type EntryPage } from "../../../src/services/accounts/ledger-entries";
import { ExchangeCollector } from "../../../src/services/audit/exchange-collector";
import { openWithDeposits, withdraw } from "../../factories/money";
import { key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const FLAT = "accountNumber idNumber name kind status countyCode openedOn balance withdrawableBalance paidMonths";
const NODE = "id postedOn kind amount period balanceAfter paymentRef";
const PAGE = `edges { cursor node { ${NODE} } } pageInfo { hasNextPage endCursor }`;
const ENTRIES = `query Entries($n: String!, $first: Int, $after: String) {
  account(accountNumber: $n) { ${FLAT} entries(first: $first, after: $after) { ${PAGE} } }
}`;
const FRAGMENT = `query Fragment($n: String!) { account(accountNumber: $n) { ...Paged } }
fragment Paged on Account { accountNumber ... on Account { entries(first: 2) { ${PAGE} } } }`;
const ALIASES = `query Aliases($n: String!) {
  one: account(accountNumber: $n) { entries(first: 1) { ${PAGE} } }
  three: account(accountNumber: $n) { balance entries(first: 3) { ${PAGE} } }
}`;
const STORED = `query Stored($n: String!) { account(accountNumber: $n) { __typename ${FLAT.replace(" withdrawableBalance paidMonths", "")} employmentForm } }`;
const COMPUTED = `query Computed($n: String!) { account(accountNumber: $n) { ...Counted } }
fragment Counted on Account { accountNumber paidMonths withdrawableBalance }`;
const BY_ID = `query ById($id: IdNumber!) { accountByIdNumber(idNumber: $id) { ${FLAT} entries(first: 3) { ${PAGE} } } }`;

type Page = {
  edges: { cursor: string; node: Record<string, string | null> }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

let t: TestHub;
let counter: QueryCounter;
const schema = buildHubSchema();
/** Three deposits and a withdrawal: WITHDRAWAL, DEPOSIT 2026-09, DEPOSIT 2026-08, DEPOSIT 2026-07, newest first. */
let made: { accountNumber: string; idNumber: string; payoutRef: string };
/** An account of another person, with one deposit. */
let other: string;

async function pay(accountNumber: string, period: string, amount: string, paymentRef: string) {
  const res = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(
    `mutation R($input: RecordDepositInput!) { recordDeposit(input: $input) { userErrors { code } } }`,
    {
      input: {
        accountNumber,
        period,
        amount,
        channel: "ACTIVE_PAYMENT",
        paymentRef,
        paidOn: `${period}-10`,
        idempotencyKey: key("dep"),
      },
    },
  );
  expect(res.body.data!.recordDeposit.userErrors).toEqual([]);
}

beforeAll(async () => {
  t = await startTestHub();
  counter = t.hub.db.queries!;
  const accountNumber = await openWithDeposits(t, "2026-07-01", [], { monthlyAmount: "1000.00" });
  await pay(accountNumber, "2026-07", "1000.00", "REF-0707");
  await pay(accountNumber, "2026-08", "1000.00", "REF-0808");
  await pay(accountNumber, "2026-09", "1200.50", "REF-0909");
  const out = await withdraw(t, accountNumber, "400.25", "2026-10-01");
  expect(out.userErrors).toEqual([]);
  const view = await accountView(t.hub.services.reads, accountNumber);
  made = { accountNumber, idNumber: view!.idNumber, payoutRef: out.entry!.paymentRef! };
  other = await openWithDeposits(t, "2026-07-01", [["2026-07", "1000.00", "2026-07-10"]]);
}, 120_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

function contextFor(role: Role, sub: string): HubContext {
  return {
    viewer: { role, sub, org: "test-org", purpose: null },
    hub: t.hub.services,
    requestId: "entries-read-test",
    startedAt: new Date(),
    logger: pino({ level: "silent" }),
    exchange: new ExchangeCollector(),
    scope: undefined,
    loaders: createLoaders(t.hub.services),
  };
}

/** Runs `query` in process (graphql-js or graphql-jit) and counts the statements its resolvers sent. */
async function run(
  executor: "graphql-js" | "graphql-jit",
  query: string,
  variables: Record<string, unknown>,
  as: { role: Role; sub: string } = { role: Role.CENTER_OPERATOR, sub: "operator-1" },
): Promise<{ data: Record<string, unknown>; queries: number }> {
  const document = parse(query);
  const contextValue = contextFor(as.role, as.sub);
  const { result, queries } = await counter.count(async () => {
    if (executor === "graphql-js") return execute({ schema, document, contextValue, variableValues: variables });
    const compiled = compileQuery(schema, document);
    if (!isCompiledQuery(compiled)) throw new Error(`not compiled: ${JSON.stringify(compiled)}`);
    return compiled.query(undefined, contextValue, variables);
  });
  expect(result.errors).toBeUndefined();
  return { data: JSON.parse(JSON.stringify(result.data)) as Record<string, unknown>, queries };
}

/** The old path, as main had it until decision 027: the ledger account, then the entries, then their references. */
async function oldEntriesPage(prisma: PrismaClient, accountNumber: string, first: number, after?: string | null) {
  const before = after ? BigInt(/^e:(\d+)$/.exec(Buffer.from(after, "base64url").toString())![1]!) : undefined;
  const account = await prisma.account.findUnique({ where: { accountNumber }, select: { ledgerAccountId: true } });
  if (!account) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
  const rows = await prisma.ledgerEntry.findMany({
    where: { ledgerAccountId: account.ledgerAccountId, ...(before ? { id: { lt: before } } : {}) },
    orderBy: { id: "desc" },
    take: first + 1,
  });
  const page = rows.slice(0, first);
  const postingIds = [...new Set(page.map((e) => e.postingId))];
  const refRows =
    postingIds.length === 0
      ? []
      : await prisma.$queryRaw<{ posting_id: bigint; period: string | null; ref: string | null }[]>`
    SELECT posting_id, period::text AS period, payment_ref AS ref FROM deposit_month WHERE posting_id = ANY(${postingIds}::bigint[])
    UNION ALL
    SELECT posting_id, NULL, payout_ref FROM payout WHERE posting_id = ANY(${postingIds}::bigint[])`;
  const refs = new Map<string, string>();
  for (const row of refRows) if (row.ref !== null) refs.set(`${row.posting_id}:${row.period ?? ""}`, row.ref);
  const edges = page.map((r) => ({
    cursor: encodeCursor(r.id),
    node: {
      id: r.id.toString(),
      postedOn: r.postedOn.toISOString().slice(0, 10),
      kind: r.kind,
      amount: formatMoney(toMoney(r.credit).minus(toMoney(r.debit))),
      period: r.period,
      balanceAfter: r.balanceAfter ? formatMoney(toMoney(r.balanceAfter)) : "0.00",
      paymentRef: refs.get(`${r.postingId}:${r.period ?? ""}`) ?? refs.get(`${r.postingId}:`) ?? null,
    },
  }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

describe.each(["graphql-js", "graphql-jit"] as const)("account { entries } executed by %s", (executor) => {
  it("reads the account and its entries in one statement, with the values of the hand-made account", async () => {
    const { data, queries } = await run(executor, ENTRIES, { n: made.accountNumber, first: 3 });
    expect(queries).toBe(1);
    const account = data.account as Record<string, unknown> & { entries: Page };
    expect(account).toMatchObject({
      accountNumber: made.accountNumber,
      idNumber: made.idNumber,
      balance: "2800.25",
      paidMonths: 3,
    });
    expect(account.entries.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        kind: "WITHDRAWAL",
        amount: "-400.25",
        period: null,
        balanceAfter: "2800.25",
        postedOn: "2026-10-01",
        paymentRef: made.payoutRef,
      }),
      expect.objectContaining({
        kind: "DEPOSIT",
        amount: "1200.50",
        period: "2026-09",
        balanceAfter: "3200.50",
        postedOn: "2026-09-10",
        paymentRef: "REF-0909",
      }),
      expect.objectContaining({
        kind: "DEPOSIT",
        amount: "1000.00",
        period: "2026-08",
        balanceAfter: "2000.00",
        postedOn: "2026-08-10",
        paymentRef: "REF-0808",
      }),
    ]);
    expect(account.entries.pageInfo).toEqual({ hasNextPage: true, endCursor: account.entries.edges[2]!.cursor });
  });

  it("answers every page exactly as the old path did, the last one included", async () => {
    for (const first of [1, 2, 3, 4, 5]) {
      let after: string | null = null;
      for (let pages = 0; pages < 6; pages++) {
        const { data, queries } = await run(executor, ENTRIES, { n: made.accountNumber, first, after });
        expect(queries).toBe(1);
        const page = (data.account as { entries: Page }).entries;
        expect(page).toEqual(await oldEntriesPage(t.hub.db.prisma, made.accountNumber, first, after));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
    }
    // The whole history in one page: four entries, the first deposit last.
    const { data } = await run(executor, ENTRIES, { n: made.accountNumber, first: 50 });
    const all = (data.account as { entries: Page }).entries;
    expect(all.edges.map((e) => [e.node.kind, e.node.amount, e.node.paymentRef])).toEqual([
      ["WITHDRAWAL", "-400.25", made.payoutRef],
      ["DEPOSIT", "1200.50", "REF-0909"],
      ["DEPOSIT", "1000.00", "REF-0808"],
      ["DEPOSIT", "1000.00", "REF-0707"],
    ]);
    expect(all.pageInfo.hasNextPage).toBe(false);
  });

  it("gives a worker their own account and entries in one statement, and someone else's as missing", async () => {
    const own = await run(
      executor,
      ENTRIES,
      { n: made.accountNumber, first: 2 },
      {
        role: Role.WORKER,
        sub: made.accountNumber,
      },
    );
    expect(own.queries).toBe(1);
    expect((own.data.account as { entries: Page }).entries).toEqual(
      await oldEntriesPage(t.hub.db.prisma, made.accountNumber, 2),
    );
    const foreign = await run(
      executor,
      ENTRIES,
      { n: made.accountNumber, first: 2 },
      { role: Role.WORKER, sub: other },
    );
    expect(foreign.data).toEqual({ account: null });
  });

  it("reads entries asked through fragments in the same one statement", async () => {
    const { data, queries } = await run(executor, FRAGMENT, { n: made.accountNumber });
    expect(queries).toBe(1);
    expect((data.account as { entries: Page }).entries).toEqual(
      await oldEntriesPage(t.hub.db.prisma, made.accountNumber, 2),
    );
  });

  it("answers two pages asked under aliases, each as the old path did", async () => {
    const { data } = await run(executor, ALIASES, { n: made.accountNumber });
    const { one, three } = data as { one: { entries: Page }; three: { balance: string; entries: Page } };
    expect(one.entries).toEqual(await oldEntriesPage(t.hub.db.prisma, made.accountNumber, 1));
    expect(three.entries).toEqual(await oldEntriesPage(t.hub.db.prisma, made.accountNumber, 3));
    expect(three.balance).toBe("2800.25");
  });

  it("falls back to one statement for the entries of another parent (accountByIdNumber)", async () => {
    const { data, queries } = await run(executor, BY_ID, { id: made.idNumber });
    expect(queries).toBe(2); // the view by ID number, then the page
    const account = data.accountByIdNumber as Record<string, unknown> & { entries: Page };
    expect(account.accountNumber).toBe(made.accountNumber);
    expect(account.entries).toEqual(await oldEntriesPage(t.hub.db.prisma, made.accountNumber, 3));
  });

  it("reads only the stored fields when nothing computed is asked, with the same values as the whole view", async () => {
    const whole = (await accountView(t.hub.services.reads, made.accountNumber))!;
    const { data, queries } = await run(executor, STORED, { n: made.accountNumber });
    expect(queries).toBe(1);
    expect(data.account).toEqual({
      __typename: "Account",
      accountNumber: made.accountNumber,
      idNumber: made.idNumber,
      name: whole.name,
      kind: "FLEXIBLE",
      status: "ACTIVE",
      countyCode: whole.countyCode,
      openedOn: "2026-07-01",
      balance: "2800.25",
      employmentForm: whole.employmentForm,
    });
    // A computed field asked only through a fragment still gets the whole view.
    const computed = await run(executor, COMPUTED, { n: made.accountNumber });
    expect(computed.data.account).toEqual({
      accountNumber: made.accountNumber,
      paidMonths: 3,
      withdrawableBalance: whole.withdrawableBalance,
    });
  });

  it("answers an empty page for an account without entries past the cursor, as the old path did", async () => {
    const oldest = (await oldEntriesPage(t.hub.db.prisma, made.accountNumber, 4)).pageInfo.endCursor;
    const { data } = await run(executor, ENTRIES, { n: made.accountNumber, first: 2, after: oldest });
    const page: EntryPage = (data.account as { entries: EntryPage }).entries;
    expect(page).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});
