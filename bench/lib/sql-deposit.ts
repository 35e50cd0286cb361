// The deposits baseline: the same posting recordDeposit makes, as plain SQL through a pg Pool, one
// transaction per deposit (BEGIN; lock the worker's ledger row FOR UPDATE; move the balance; INSERT posting;
// INSERT its 2 ledger entries; INSERT deposit_month; INSERT idempotency_record; COMMIT) — no reads of paid
// months, no policy checks, no GraphQL/HTTP/auth/Prisma. A floor for what one deposit costs the database.
import type { Pool } from "pg";

import { sha256 } from "./seed";

export interface SqlDeposit {
  accountNumber: string;
  period: string;
  amount: string;
  paidOn: string;
  paymentRef: string;
  idempotencyKey: string;
}

export async function bankSettlementId(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM ledger_account WHERE code = 'FUND:BANK_SETTLEMENT'`,
  );
  if (!rows[0]) throw new Error("FUND:BANK_SETTLEMENT is missing (migration not applied?)");
  return rows[0].id;
}

export async function postDepositSql(pool: Pool, bankId: string, d: SqlDeposit): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const locked = await client.query<{ id: string; ledger_account_id: string; status: string; kind: string }>(
      `SELECT a.id, a.ledger_account_id, a.status, a.kind
       FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
       WHERE a.account_number = $1 FOR UPDATE OF la`,
      [d.accountNumber],
    );
    const account = locked.rows[0];
    if (!account || account.status !== "ACTIVE") throw new Error(`account ${d.accountNumber} not found or not active`);
    const moved = await client.query<{ balance: string }>(
      `UPDATE ledger_account SET balance = balance + $2::numeric WHERE id = $1 AND type = 'WORKER' AND balance + $2::numeric >= 0 RETURNING balance`,
      [account.ledger_account_id, d.amount],
    );
    const balanceAfter = moved.rows[0]!.balance;
    const posting = await client.query<{ id: string }>(
      `INSERT INTO posting (kind, posted_on, memo) VALUES ('DEPOSIT', $1, $2) RETURNING id`,
      [d.paidOn, `ACTIVE_PAYMENT ${d.paymentRef}`],
    );
    const postingId = posting.rows[0]!.id;
    const entries = await client.query<{ id: string }>(
      `INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, period, posted_on, balance_after) VALUES
         ($1, $2, 'DEPOSIT', $4::numeric, 0, $5, $6, NULL),
         ($1, $3, 'DEPOSIT', 0, $4::numeric, $5, $6, $7::numeric)
       RETURNING id`,
      [postingId, bankId, account.ledger_account_id, d.amount, d.period, d.paidOn, balanceAfter],
    );
    await client.query(
      `INSERT INTO deposit_month (account_id, period, amount, paid_on, source, channel, payment_ref, posting_id)
       VALUES ($1, $2, $3::numeric, $4, 'MONTHLY', 'ACTIVE_PAYMENT', $5, $6)`,
      [account.id, d.period, d.amount, d.paidOn, d.paymentRef, postingId],
    );
    // A response of the same shape and size as the one recordDeposit stores.
    const response = {
      account: {
        accountNumber: d.accountNumber,
        balance: balanceAfter,
        paidMonths: 0,
        consecutiveMonths: 0,
        paidUpTo: d.period,
        status: "ACTIVE",
        kind: "FLEXIBLE",
      },
      entries: [
        {
          id: entries.rows[1]!.id,
          kind: "DEPOSIT",
          amount: d.amount,
          period: d.period,
          balanceAfter,
          postedOn: d.paidOn,
        },
      ],
    };
    await client.query(
      `INSERT INTO idempotency_record (key, operation, actor, request_hash, response) VALUES ($1, 'recordDeposit', 'bench-operator', $2, $3)`,
      [d.idempotencyKey, sha256(JSON.stringify(d)), JSON.stringify(response)],
    );
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
