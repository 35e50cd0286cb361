// The one way to lock workers' ledger rows: in ledger-account id order, so that two transactions locking several
// accounts (a deposit batch, a subsidy settlement, a withdrawal) never deadlock. Held to the end of the transaction,
// so concurrent postings to one account queue here and then see each other's effects.
import { dateToString } from "../db/dates";
import type { SqlTx } from "../db/driver-sql";

export interface LockedAccount {
  id: bigint;
  accountNumber: string;
  ledgerAccountId: bigint;
  kind: string;
  status: string;
  openedOn: string;
}

interface LockedRow {
  id: bigint;
  account_number: string;
  ledger_account_id: bigint;
  kind: string;
  status: string;
  opened_on: Date;
}

const toLocked = (row: LockedRow): LockedAccount => ({
  id: row.id,
  accountNumber: row.account_number,
  ledgerAccountId: row.ledger_account_id,
  kind: row.kind,
  status: row.status,
  openedOn: dateToString(row.opened_on),
});

/** Locks the accounts' worker ledger rows by account number; unknown numbers are absent from the map. */
export async function lockAccounts(tx: SqlTx, accountNumbers: readonly string[]): Promise<Map<string, LockedAccount>> {
  if (accountNumbers.length === 0) return new Map();
  const rows = await tx.$queryRaw<LockedRow[]>`
    SELECT a.id, a.account_number, a.ledger_account_id, a.kind, a.status, a.opened_on
    FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
    WHERE a.account_number = ANY(${[...new Set(accountNumbers)]}::text[])
    ORDER BY la.id
    FOR UPDATE OF la`;
  return new Map(rows.map((row) => [row.account_number, toLocked(row)]));
}

/** Locks one account's worker ledger row. A statement of its own (`= $1`): PostgreSQL plans it once per connection,
 *  where the list's `= ANY($1)` is planned again on every run (decision 037). */
export async function lockAccount(tx: SqlTx, accountNumber: string): Promise<LockedAccount | null> {
  const [row] = await tx.$queryRaw<LockedRow[]>`
    SELECT a.id, a.account_number, a.ledger_account_id, a.kind, a.status, a.opened_on
    FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
    WHERE a.account_number = ${accountNumber}
    FOR UPDATE OF la`;
  return row ? toLocked(row) : null;
}

/** Locks worker ledger rows by ledger-account id (when the caller already knows them, e.g. from claims). */
export async function lockWorkerLedgerRows(tx: SqlTx, ledgerAccountIds: readonly bigint[]): Promise<void> {
  if (ledgerAccountIds.length === 0) return;
  await tx.$queryRaw`SELECT id FROM ledger_account WHERE id = ANY(${[...ledgerAccountIds]}::bigint[]) ORDER BY id FOR UPDATE`;
}

/** Locks one account's worker ledger row by account id. */
export async function lockAccountById(tx: SqlTx, accountId: bigint): Promise<void> {
  await tx.$queryRaw`SELECT la.id FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id WHERE a.id = ${accountId}::bigint FOR UPDATE OF la`;
}
