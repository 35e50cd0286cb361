// The withdrawals baseline: the same posting `withdraw` makes, as plain SQL through a pg Pool, one transaction per
// withdrawal (BEGIN; lock the worker's ledger row FOR UPDATE; move the balance, guarded >= 0; INSERT the WITHDRAWAL
// posting and its 2 ledger entries (worker debit, bank settlement credit); INSERT the payout WD-<posting id>;
// INSERT idempotency_record; COMMIT), like lib/sql-deposit.ts for deposits. No subsidy/loan/ban reads, no
// policy lookup, no metric deltas, no GraphQL/HTTP/auth/Prisma: a floor for what one withdrawal costs the database.
import type { Pool } from "pg";

import { sha256 } from "./seed";

export interface SqlWithdrawal {
  accountNumber: string;
  amount: string;
  requestedOn: string;
  idempotencyKey: string;
}

export async function postWithdrawalSql(pool: Pool, bankId: string, w: SqlWithdrawal): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const locked = await client.query<{ id: string; ledger_account_id: string; status: string }>(
      `SELECT a.id, a.ledger_account_id, a.status
       FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
       WHERE a.account_number = $1 FOR UPDATE OF la`,
      [w.accountNumber],
    );
    const account = locked.rows[0];
    if (!account || account.status !== "ACTIVE") throw new Error(`account ${w.accountNumber} not found or not active`);
    const moved = await client.query<{ balance: string }>(
      `UPDATE ledger_account SET balance = balance - $2::numeric
       WHERE id = $1 AND type = 'WORKER' AND balance - $2::numeric >= 0 RETURNING balance`,
      [account.ledger_account_id, w.amount],
    );
    if (!moved.rows[0]) throw new Error(`account ${w.accountNumber}: amount exceeds the balance`);
    const balanceAfter = moved.rows[0].balance;
    const posting = await client.query<{ id: string }>(
      `INSERT INTO posting (kind, posted_on, memo) VALUES ('WITHDRAWAL', $1, '提取 withdrawal') RETURNING id`,
      [w.requestedOn],
    );
    const postingId = posting.rows[0]!.id;
    const entries = await client.query<{ id: string }>(
      `INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, period, posted_on, balance_after) VALUES
         ($1, $2, 'WITHDRAWAL', $4::numeric, 0, NULL, $5, $6::numeric),
         ($1, $3, 'WITHDRAWAL', 0, $4::numeric, NULL, $5, NULL)
       RETURNING id`,
      [postingId, account.ledger_account_id, bankId, w.amount, w.requestedOn, balanceAfter],
    );
    const payoutRef = `WD-${postingId}`;
    await client.query(
      `INSERT INTO payout (payout_ref, account_id, kind, amount, requested_on, posting_id, status)
       VALUES ($1, $2, 'WITHDRAWAL', $3::numeric, $4, $5, 'PENDING')`,
      [payoutRef, account.id, w.amount, w.requestedOn, postingId],
    );
    // A response of the same shape and size as the one withdraw stores.
    const entry = {
      id: entries.rows[0]!.id,
      kind: "WITHDRAWAL",
      amount: w.amount,
      period: null,
      balanceAfter,
      postedOn: w.requestedOn,
      paymentRef: payoutRef,
    };
    const response = {
      account: {
        accountNumber: w.accountNumber,
        balance: balanceAfter,
        withdrawableBalance: balanceAfter,
        status: "ACTIVE",
        kind: "FLEXIBLE",
      },
      entry,
      entries: [entry],
    };
    await client.query(
      `INSERT INTO idempotency_record (key, operation, actor, request_hash, response) VALUES ($1, 'withdraw', 'bench-operator', $2, $3)`,
      [w.idempotencyKey, sha256(JSON.stringify(w)), JSON.stringify(response)],
    );
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
