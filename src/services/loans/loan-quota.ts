// loanQuota: the deposit-linked quota of one account on a date. The rule (src/domain/loans/loan-quota.rule.ts)
// decides; this reads the facts in one SQL statement (the account, its balance on asOf, the months paid by then), asks
// the credit reference center for the report, takes the parameters in force on asOf, and applies the rule. The gate's
// fraud ban is the person's ban store (src/services/risk/fraud-bans.ts), read in the same statement. The months
// are interpreted by the one deposit history (src/domain/deposits/deposit-history.ts): duration = months paid as of
// asOf + months transferred in; stability = stabilityAsOf.
import type { ConnectorCallContext } from "../../connectors/connector.types";
import type { CreditPort } from "../../connectors/credit/credit.port";
import { AccountStatus } from "../../domain/accounts/account-vocabulary";
import { monthsPaidAsOf, type PaidMonth, stabilityAsOf } from "../../domain/deposits/deposit-history";
import { type LoanQuota, loanQuota, type LoanQuotaRequest } from "../../domain/loans/loan-quota.rule";
import { type MoneyValue, toMoney } from "../../domain/money/money";
import { actionBanned, type BanPeriod } from "../../domain/risk/fraud-ban.rule";
import { badInput, HubError } from "../../errors";
import type { HubServices } from "../hub-services";
import { MissingParameterError } from "../policy/policy-parameters.service";
import { loanQuotaParameters } from "./loan-parameters";

export interface LoanQuotaQuery {
  accountNumber: string;
  asOf: string;
  monthlyIncome: MoneyValue;
  housePrice: MoneyValue;
  termYears: number;
  firstHome: boolean;
}

export interface LoanQuotaAnswer extends LoanQuota {
  /** The borrower, for the exchange record of the request. */
  idNumber: string;
}

interface FactsRow {
  id_number: string;
  status: string;
  opened_on: string;
  transferred_in_months: number;
  balance: { toFixed(): string };
  periods: string[] | null;
  paid_on: string[] | null;
  ban_kinds: string[] | null;
  ban_from: string[] | null;
  ban_until: string[] | null;
}

export const accountNotFound = () => new HubError("NOT_FOUND", "账户不存在 account not found");

async function readFacts(hub: Pick<HubServices, "prisma">, accountNumber: string, asOf: string) {
  const rows = await hub.prisma.$queryRaw<FactsRow[]>`
    SELECT p.id_number::text AS id_number, a.status, to_char(a.opened_on, 'YYYY-MM-DD') AS opened_on,
           a.transferred_in_months,
           (SELECT COALESCE(SUM(e.credit - e.debit), 0) FROM ledger_entry e
             WHERE e.ledger_account_id = a.ledger_account_id AND e.posted_on <= ${asOf}::date) AS balance,
           paid.periods, paid.paid_on, ban.ban_kinds, ban.ban_from, ban.ban_until
      FROM account a
      JOIN person p ON p.id = a.person_id
      LEFT JOIN LATERAL (
        SELECT array_agg(dm.period::text ORDER BY dm.period) AS periods,
               array_agg(to_char(dm.paid_on, 'YYYY-MM-DD') ORDER BY dm.period) AS paid_on
          FROM deposit_month dm
         WHERE dm.account_id = a.id AND dm.paid_on <= ${asOf}::date) paid ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(b.kind) AS ban_kinds, array_agg(to_char(b.decided_on, 'YYYY-MM-DD')) AS ban_from,
               array_agg(to_char(b.until, 'YYYY-MM-DD')) AS ban_until
          FROM fraud_ban b
         WHERE b.person_id = a.person_id AND b.decided_on <= ${asOf}::date AND b.until > ${asOf}::date) ban ON true
     WHERE a.account_number = ${accountNumber}`;
  return rows[0] ?? null;
}

/** The person's bans in force on asOf (the fraud-ban store, read in the same statement as the other facts). */
function bansOf(row: FactsRow): BanPeriod[] {
  return (row.ban_kinds ?? []).map((kind, i) => ({ kind, decidedOn: row.ban_from![i]!, until: row.ban_until![i]! }));
}

function paidMonthsOf(row: FactsRow): PaidMonth[] {
  const paidOn = row.paid_on ?? [];
  return (row.periods ?? []).map((period, i) => ({ period, paidOn: paidOn[i]! }));
}

function validate(q: LoanQuotaQuery): void {
  if (q.monthlyIncome.isNegative())
    throw badInput("月收入不能为负数 monthlyIncome must not be negative", "monthlyIncome");
  if (q.housePrice.lessThanOrEqualTo(0)) throw badInput("房价须大于 0 housePrice must be positive", "housePrice");
}

/**
 * The quota of an account on asOf; `mayRead` is the viewer's row scope (a WORKER reads only their own account): an
 * account it may not read is answered exactly like a missing one, before any agency is asked.
 */
export async function loanQuotaOf(
  hub: Pick<HubServices, "prisma" | "policy"> & { credit: CreditPort },
  q: LoanQuotaQuery,
  mayRead: (accountNumber: string) => boolean,
  call: ConnectorCallContext,
): Promise<LoanQuotaAnswer> {
  validate(q);
  const row = mayRead(q.accountNumber) ? await readFacts(hub, q.accountNumber, q.asOf) : null;
  if (!row) throw accountNotFound();
  let params;
  try {
    params = loanQuotaParameters(await hub.policy.on(q.asOf));
  } catch (e) {
    if (e instanceof MissingParameterError)
      throw badInput(`${q.asOf} 没有生效的贷款参数 (no loan parameters in force on asOf)`, "asOf");
    throw e;
  }
  const report = await hub.credit.getReport(row.id_number, call);
  const months = paidMonthsOf(row);
  const request: LoanQuotaRequest = {
    asOf: q.asOf,
    monthlyIncome: q.monthlyIncome,
    housePrice: q.housePrice,
    termYears: q.termYears,
    firstHome: q.firstHome,
  };
  const quota = loanQuota(
    {
      idNumber: row.id_number,
      balance: toMoney(row.balance),
      paidMonths: monthsPaidAsOf(months, q.asOf).size + row.transferred_in_months,
      stability: stabilityAsOf(months, q.asOf, row.opened_on),
      credit: { level: report.level, dishonestList: report.dishonestList },
      fraudBanInForce: actionBanned(bansOf(row), "BORROW", q.asOf),
      accountActive: row.status === AccountStatus.ACTIVE,
    },
    request,
    params,
  );
  return { ...quota, idNumber: row.id_number };
}
