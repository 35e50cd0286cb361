// The compactor reclaims what a compaction leaves behind (decision 042): metric_delta is a queue that every
// pilotMetrics read scans, and its compacted rows stay in the table's pages until a VACUUM. After the hub's own
// compaction round the table is empty on disk, not only of live rows. On both databases.
// The hub's background rounds (outbox, chainer, checkpoints, the compaction timer) are pushed out of the test's way:
// a transaction of theirs open at the wrong moment could keep the deleted rows visible and the pages in place.
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const HOUR = 3_600_000;
let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({
    outboxIntervalMs: HOUR,
    metricsCompactionIntervalMs: HOUR,
    audit: { chainIntervalMs: HOUR, checkpointIntervalMs: HOUR },
  });
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

async function one<T>(sql: string): Promise<T> {
  const rows = await t.hub.db.prisma.$queryRawUnsafe<T[]>(sql);
  return rows[0]!;
}

const deltaBytes = async () =>
  Number((await one<{ bytes: bigint }>("SELECT pg_relation_size('metric_delta') AS bytes")).bytes);

test("a compaction round leaves metric_delta empty on disk, and the figures folded into the rollup", async () => {
  // 3,000 deltas of 1.00 and one payment each on one key, as a day of postings leaves them.
  await t.hub.db.prisma.$executeRawUnsafe(`
    INSERT INTO metric_delta (month, county_code, employment_form, deposit_amount, deposit_count)
    SELECT '2026-07', '140502', 'SELF_EMPLOYED', 1.00, 1 FROM generate_series(1, 3000)`);
  expect(await deltaBytes()).toBeGreaterThan(8192); // more than one page of rows to reclaim

  await t.hub.metricsCompactor.runOnce();

  expect(await one<{ n: bigint }>("SELECT count(*) AS n FROM metric_delta")).toEqual({ n: 0n });
  const rollup = await one<{ amount: string; count: number }>(`
    SELECT deposit_amount::text AS amount, deposit_count AS count FROM metric_rollup
    WHERE month = '2026-07' AND county_code = '140502' AND employment_form = 'SELF_EMPLOYED'`);
  expect(rollup).toEqual({ amount: "3000.00", count: 3000 });
  expect(await deltaBytes()).toBe(0);
});
