// Baseline for `account` lookups: a bare node:http server that runs the same SQL as
// src/services/accounts/account-view.ts (copied) through a pg Pool and answers JSON. No GraphQL, no auth,
// no Prisma: the floor for "one indexed query per request over HTTP" on this machine.
// GET /account/<accountNumber>  ->  200 {"data":{"account":{...}}}
import { depositHistory } from "../src/domain/deposits/deposit-history";
import { runBareServer } from "./lib/bare-server";

// Copied from account-view.ts (SELECT ... WHERE a.account_number = ANY($1::text[])).
export const ACCOUNT_VIEW_SQL = `
  SELECT a.account_number, p.id_number, p.name, a.kind, a.status, a.county_code, a.employment_form, a.opened_on,
         la.balance, a.transferred_in_months,
         (SELECT array_agg(dm.period::text) FROM deposit_month dm WHERE dm.account_id = a.id) AS periods,
         (SELECT dp.monthly_amount FROM deposit_plan dp WHERE dp.account_id = a.id
           ORDER BY dp.effective_from DESC, dp.id DESC LIMIT 1) AS monthly_amount
  FROM account a
  JOIN person p ON p.id = a.person_id
  JOIN ledger_account la ON la.id = a.ledger_account_id
  WHERE a.account_number = ANY($1::text[])`;

interface Row {
  account_number: string;
  id_number: string;
  name: string;
  kind: string;
  status: string;
  county_code: string;
  employment_form: string | null;
  opened_on: string;
  balance: string;
  transferred_in_months: number;
  periods: string[] | null;
  monthly_amount: string | null;
}

runBareServer("lookup baseline", (pool) => ({
  pattern: /^\/account\/([0-9]{1,32})$/,
  async answer(m) {
    const row = (await pool.query<Row>(ACCOUNT_VIEW_SQL, [[m[1]]])).rows[0];
    if (!row) return { data: { account: null } };
    const h = depositHistory(row.periods ?? [], row.transferred_in_months);
    return {
      data: {
        account: {
          accountNumber: row.account_number,
          idNumber: row.id_number,
          name: row.name,
          kind: row.kind,
          status: row.status,
          countyCode: row.county_code,
          employmentForm: row.employment_form,
          openedOn: row.opened_on,
          balance: row.balance,
          paidMonths: h.paidMonths,
          consecutiveMonths: h.consecutiveMonths,
          paidUpTo: h.paidUpTo,
          monthlyAmount: row.monthly_amount,
        },
      },
    };
  },
}));
