// Migration 20261202040000_fraud_bans moves the fraud flags already stored on transfers in into the ban store: a
// database migrated up to the migration before it holds a flagged and an unflagged transfer; after it, the flagged
// one is a TRANSFER ban of the person, decided on the day received, for the years in force then.
import "reflect-metadata";

import { type Database, openDatabase } from "../../../src/db/database";
import { migrate, readMigrations } from "../../../src/db/migrator";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database";

const BANS = "20261202040000_fraud_bans";

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase({ ...database.options, migrate: false });
}, 60_000);
afterAll(async () => {
  await db.close();
  await database.drop();
}, 60_000);

async function transferOf(n: number, fraudFlag: boolean, receivedOn: string): Promise<void> {
  const id = `14050219800101${String(n).padStart(3, "0")}X`;
  await db.driver.exec(`
    INSERT INTO person (id_number, name, sex, birth_date) VALUES ('${id}', '转入${n}', 'M', '1980-01-01');
    INSERT INTO ledger_account (code, type, normal_side, name) VALUES ('W:T${n}', 'WORKER', 'C', 'T${n}');
    INSERT INTO account (account_number, person_id, ledger_account_id, kind, status, county_code, opened_on)
      SELECT 'T${n}', p.id, la.id, 'FLEXIBLE', 'SEALED', '140502', '${receivedOn}'
        FROM person p, ledger_account la WHERE p.id_number = '${id}' AND la.code = 'W:T${n}';
    INSERT INTO transfer_in (contact_letter_no, account_id, from_center, principal, interest, opened_month, paid_up_to,
                             paid_months, last_six_months_continuous, loan_count, loan_outstanding, fraud_flag,
                             received_on, posting_id)
      SELECT '44030026072000${String(n).padStart(2, "0")}', a.id, '440300', 1000, 10, '2020-01', '2026-06', 60, true, 0,
             false, ${fraudFlag}, '${receivedOn}', 1
        FROM account a WHERE a.account_number = 'T${n}';`);
}

it("turns each flagged transfer into a withdrawal-fraud ban from the day received", async () => {
  const before = readMigrations().filter((m) => m.name < BANS);
  await migrate(db.driver, before);
  // The years in force: 3 from the pilot's start, 4 from 2026-01-01 (a later change of the parameter).
  await db.driver.exec(`
    INSERT INTO policy_parameter (key, value, effective_from, recorded_by) VALUES
      ('risk.fraudWithdrawalBanYears', '3', '2023-07-01', 'test'),
      ('risk.fraudWithdrawalBanYears', '4', '2026-01-01', 'test')`);
  await transferOf(1, true, "2025-11-20"); // 3 years: until 2028-11-20
  await transferOf(2, true, "2026-07-20"); // 4 years: until 2030-07-20
  await transferOf(3, false, "2026-07-20"); // no flag, no ban
  await migrate(
    db.driver,
    readMigrations().filter((m) => m.name <= BANS),
  );
  const bans = await db.driver.query<Record<string, string>>(`
    SELECT a.account_number, b.kind, to_char(b.decided_on, 'YYYY-MM-DD') AS decided_on,
           to_char(b.until, 'YYYY-MM-DD') AS until, b.source, b.source_ref, b.reason
      FROM fraud_ban b JOIN account a ON a.person_id = b.person_id ORDER BY a.account_number`);
  expect(bans).toEqual([
    {
      account_number: "T1",
      kind: "WITHDRAWAL_FRAUD",
      decided_on: "2025-11-20",
      until: "2028-11-20",
      source: "TRANSFER",
      source_ref: "4403002607200001",
      reason: "转入时原中心标记骗提骗贷（联系函 4403002607200001，原中心 440300）",
    },
    {
      account_number: "T2",
      kind: "WITHDRAWAL_FRAUD",
      decided_on: "2026-07-20",
      until: "2030-07-20",
      source: "TRANSFER",
      source_ref: "4403002607200002",
      reason: "转入时原中心标记骗提骗贷（联系函 4403002607200002，原中心 440300）",
    },
  ]);
});
