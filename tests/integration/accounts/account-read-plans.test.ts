// A read of one account has a statement of its own (account-view.ts, decision 037): it answers exactly what the read
// of a list answers for that account, in every shape, and on PostgreSQL it is planned once and then run from a generic
// plan, where the list statement was planned again on every read. The same holds for the lock of one account.
import "reflect-metadata";

import { type Database, openDatabase } from "../../../src/db/database";
import { lockAccount } from "../../../src/ledger/worker-lock";
import { readAccounts } from "../../../src/services/accounts/account-view";
import { activePayment, ENROL, enrolInput, freshIdNumber, RECORD } from "../../factories/workers";
import { serverUrl } from "../../helpers/test-database";
import { startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
let paid: string;
let fresh: string;

async function enrol(): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
    input: enrolInput({ idNumber: freshIdNumber("1991-04-02"), monthlyAmount: "800.00", enrolledOn: "2026-07-15" }),
  });
  return res.body.data!.enrollWorker.account.accountNumber;
}

beforeAll(async () => {
  t = await startTestHub();
  paid = await enrol();
  fresh = await enrol();
  for (const period of ["2026-07", "2026-08"]) {
    const res = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, {
      input: activePayment(paid, period),
    });
    expect(res.body.data!.recordDeposit.userErrors).toEqual([]);
  }
}, 60_000);
afterAll(() => t.close());

const SHAPES = [
  { storedOnly: false, page: null },
  { storedOnly: true, page: null },
  { storedOnly: false, page: { first: 1, before: null } },
  { storedOnly: true, page: { first: 5, before: null } },
] as const;

it.each(SHAPES)("reads one account as the list read reads it (%o)", async (shape) => {
  const reads = t.hub.services.reads;
  const alone = await readAccounts(reads, [paid], shape);
  const listed = await readAccounts(reads, [fresh, paid, "9999999999999999"], shape);
  expect([...alone.keys()]).toEqual([paid]);
  expect(alone.get(paid)).toEqual(listed.get(paid));
  expect(alone.get(paid)!.view).toMatchObject({ accountNumber: paid, balance: "1600.00" });
  if (!shape.storedOnly) expect(alone.get(paid)!.view).toMatchObject({ paidMonths: 2, paidUpTo: "2026-08" });
  if (shape.page)
    expect(alone.get(paid)!.entries!.edges.map((e) => e.node.period)).toEqual(
      shape.page.first === 1 ? ["2026-08"] : ["2026-08", "2026-07"],
    );
  expect((await readAccounts(reads, ["9999999999999999"], shape)).size).toBe(0);
});

(serverUrl() ? it : it.skip)(
  "plans a one-account read once on a connection and then runs its generic plan",
  async () => {
    // One connection and no read lanes, so that every read meets the same prepared statement.
    const one: Database = await openDatabase({ ...t.database.options, poolSize: 1, readLanes: 0, migrate: false });
    try {
      for (let i = 0; i < 8; i++)
        await readAccounts(one.reads, [i % 2 ? paid : fresh], { storedOnly: false, page: null });
      const [plans] = await one.sql.client.$queryRaw<{ generic_plans: bigint; custom_plans: bigint }[]>`
      SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'hub_account_view_one'`;
      // PostgreSQL tries five custom plans before it settles on the generic one: the last three reads are not planned.
      expect(plans).toEqual({ generic_plans: 3n, custom_plans: 5n });
    } finally {
      await one.close();
    }
  },
);

(serverUrl() ? it : it.skip)("locks one account with a statement planned once per connection", async () => {
  const one: Database = await openDatabase({ ...t.database.options, poolSize: 1, migrate: false });
  try {
    const locked: (string | undefined)[] = [];
    // Named from its fifth use (statement-names.ts), then five custom plans and the generic plan for every run after.
    for (let i = 0; i < 12; i++)
      locked.push((await one.sql.transaction((tx) => lockAccount(tx, i % 2 ? paid : fresh)))?.accountNumber);
    expect(locked).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 ? paid : fresh)));
    expect(await one.sql.transaction((tx) => lockAccount(tx, "9999999999999999"))).toBeNull();
    const plans = await one.sql.client.$queryRaw<{ generic_plans: bigint; custom_plans: bigint }[]>`
      SELECT generic_plans, custom_plans FROM pg_prepared_statements
       WHERE statement LIKE '%FOR UPDATE OF la%' AND statement LIKE '%a.account_number = $1%'`;
    expect(plans).toEqual([{ generic_plans: 4n, custom_plans: 5n }]);
  } finally {
    await one.close();
  }
});
