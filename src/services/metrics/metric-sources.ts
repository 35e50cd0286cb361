// The one definition of what each pilot metric counts, as SQL over the source tables. The delta writers apply it
// to the rows of one business event, the compaction re-keys and the check applies it to everything, so the
// incremental figures and the full recomputation can only differ if a writer was skipped or a delta was lost.
//
// Keys: month (business date), the account's county code and employment form ('UNKNOWN' when not recorded).
// Sources: ledger entries of worker accounts (deposits, withdrawals net of failed payouts, subsidies, interest, the
// flexible pool's balance), agreements (an enrolment or a conversion back to flexible signs one; ending it is an exit), refused
// duplicate checks, and the loan book: the loan receivable's entries of each loan (disbursed count and amount, the
// flexible pool's outstanding principal), loan applications, and overdue spells (a loan counts as overdue from the
// month a run found an overdue instalment to the month it was repaid, settled or written off).
import { Prisma } from "../../generated/prisma/client";
import { kindsInMetric } from "../../ledger/posting-kinds";

/** The measure columns of metric_rollup / metric_delta, in one order used by every statement. */
export const METRIC_COLUMNS = [
  "enrolled",
  "exited",
  "active_delta",
  "deposit_amount",
  "deposit_count",
  "withdrawal_amount",
  "loan_count",
  "loan_amount",
  "graduate_subsidy_amount",
  "interest_subsidy_amount",
  "duplicate_blocks",
  "balance_delta",
  "loan_outstanding_delta",
  "interest_amount",
  "converted_to_employer",
  "loan_applications",
  "loan_overdue_delta",
] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

export const UNKNOWN_FORM = "UNKNOWN";
/** County of a duplicate check recorded without one (the loan path may not know it). */
export const UNKNOWN_COUNTY = "000000";

/** The posting kinds of each measure, from the ledger's catalogue (src/ledger/posting-kinds.ts). */
const DEPOSIT_KINDS = kindsInMetric("DEPOSIT");
const WITHDRAWAL_KINDS = kindsInMetric("WITHDRAWAL");
const GRADUATE_SUBSIDY_KINDS = kindsInMetric("GRADUATE_SUBSIDY");
const INTEREST_SUBSIDY_KINDS = kindsInMetric("INTEREST_SUBSIDY");
const INTEREST_KINDS = kindsInMetric("INTEREST");
const LOAN_KINDS = kindsInMetric("LOAN");

export const KEY_COLUMNS = ["month", "county_code", "employment_form"] as const;

/** `(month, county_code, employment_form, enrolled, ...)` for an INSERT. */
export const INSERT_COLUMNS = Prisma.raw(`(${[...KEY_COLUMNS, ...METRIC_COLUMNS].join(", ")})`);

/** `sum(enrolled) AS enrolled, ...` over a subquery with the canonical columns; `sign` -1 negates. */
export function summedColumns(sign: 1 | -1 = 1): Prisma.Sql {
  return Prisma.raw(METRIC_COLUMNS.map((c) => `${sign === 1 ? "" : "-"}sum(${c}) AS ${c}`).join(", "));
}

const list = (kinds: readonly string[]) => Prisma.raw(kinds.map((k) => `'${k}'`).join(", "));
const ACCOUNT_KEY = Prisma.raw(
  `a.county_code AS county_code, coalesce(a.employment_form, '${UNKNOWN_FORM}') AS employment_form`,
);

/** The ledger's contribution of the worker entries matching `where` (aliases: e = ledger_entry, a = account).
 *  A deposit counts once per posting: a lump sum covering eight months is one payment. */
export function ledgerSource(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT to_char(e.posted_on, 'YYYY-MM') AS month, ${ACCOUNT_KEY},
      0 AS enrolled, 0 AS exited, 0 AS active_delta,
      coalesce(sum(e.credit) FILTER (WHERE e.kind IN (${list(DEPOSIT_KINDS)})), 0) AS deposit_amount,
      count(DISTINCT e.posting_id) FILTER (WHERE e.kind IN (${list(DEPOSIT_KINDS)})) AS deposit_count,
      coalesce(sum(e.debit - e.credit) FILTER (WHERE e.kind IN (${list(WITHDRAWAL_KINDS)})), 0) AS withdrawal_amount,
      0 AS loan_count, 0 AS loan_amount,
      coalesce(sum(e.credit) FILTER (WHERE e.kind IN (${list(GRADUATE_SUBSIDY_KINDS)})), 0) AS graduate_subsidy_amount,
      coalesce(sum(e.credit) FILTER (WHERE e.kind IN (${list(INTEREST_SUBSIDY_KINDS)})), 0) AS interest_subsidy_amount,
      0 AS duplicate_blocks,
      coalesce(sum(e.credit - e.debit) FILTER (WHERE a.kind = 'FLEXIBLE'), 0) AS balance_delta,
      0 AS loan_outstanding_delta,
      coalesce(sum(e.credit) FILTER (WHERE e.kind IN (${list(INTEREST_KINDS)})), 0) AS interest_amount, 0 AS converted_to_employer,
      0 AS loan_applications, 0 AS loan_overdue_delta
    FROM ledger_entry e JOIN account a ON a.ledger_account_id = e.ledger_account_id
    WHERE ${where}
    GROUP BY 1, 2, 3`;
}

/** Enrolments (agreements signed), exits and conversions to employer-based (agreements ended or suspended) of the
 *  accounts matching `where` (g, a). Any end leaves the active pool; an exit and a transfer out to another city count
 *  as exits (a NULL reason was written before reasons were recorded, by exit). */
export function agreementSource(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT to_char(x.on_date, 'YYYY-MM') AS month, ${ACCOUNT_KEY},
      sum(x.enrolled) AS enrolled, sum(x.exited) AS exited, sum(x.enrolled - x.ended) AS active_delta,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sum(x.converted) AS converted_to_employer, 0, 0
    FROM agreement g JOIN account a ON a.id = g.account_id
    CROSS JOIN LATERAL (VALUES
      (g.signed_on, 1, 0, 0, 0),
      (g.ended_on, 0, 1, CASE WHEN coalesce(g.end_reason, 'EXIT') IN ('EXIT', 'TRANSFER_OUT') THEN 1 ELSE 0 END,
        CASE WHEN g.end_reason = 'CONVERTED_TO_EMPLOYER' THEN 1 ELSE 0 END)
    ) AS x(on_date, enrolled, ended, exited, converted)
    WHERE x.on_date IS NOT NULL AND ${where}
    GROUP BY 1, 2, 3`;
}

const DUPLICATE_COUNTY = Prisma.raw(`coalesce(d.county_code, '${UNKNOWN_COUNTY}')`);

/** Refused duplicate checks (enrolments and loans the national platform's answer blocked) matching `where` (d). */
export function duplicateSource(where: Prisma.Sql = Prisma.sql`TRUE`): Prisma.Sql {
  return Prisma.sql`
    SELECT to_char(d.checked_on, 'YYYY-MM') AS month, ${DUPLICATE_COUNTY} AS county_code,
      coalesce(d.employment_form, '${Prisma.raw(UNKNOWN_FORM)}') AS employment_form,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*) AS duplicate_blocks, 0, 0, 0, 0, 0, 0
    FROM duplicate_check d
    WHERE ${where}
    GROUP BY 1, 2, 3`;
}

/** The loan receivable's entries of the loans matching `where` (e = ledger_entry, l = loan, a = account): loans disbursed
 *  (count and amount) and the flexible pool's outstanding principal (debit − credit: disbursed minus repaid, offset
 *  and written off). Keyed by the borrower's account, like every other measure. */
export function loanSource(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT to_char(e.posted_on, 'YYYY-MM') AS month, ${ACCOUNT_KEY},
      0 AS enrolled, 0 AS exited, 0 AS active_delta, 0 AS deposit_amount, 0 AS deposit_count, 0 AS withdrawal_amount,
      count(DISTINCT e.posting_id) FILTER (WHERE e.kind IN (${list(LOAN_KINDS)})) AS loan_count,
      coalesce(sum(e.debit) FILTER (WHERE e.kind IN (${list(LOAN_KINDS)})), 0) AS loan_amount,
      0 AS graduate_subsidy_amount, 0 AS interest_subsidy_amount, 0 AS duplicate_blocks, 0 AS balance_delta,
      coalesce(sum(e.debit - e.credit) FILTER (WHERE a.kind = 'FLEXIBLE'), 0) AS loan_outstanding_delta,
      0 AS interest_amount, 0 AS converted_to_employer, 0 AS loan_applications, 0 AS loan_overdue_delta
    FROM ledger_entry e JOIN loan_posting lp ON lp.posting_id = e.posting_id
      JOIN loan l ON l.id = lp.loan_id JOIN account a ON a.id = l.account_id
    WHERE e.ledger_account_id = (SELECT id FROM ledger_account WHERE code = 'FUND:LOAN_RECEIVABLE') AND ${where}
    GROUP BY 1, 2, 3`;
}

/** Loan applications that reached a decision, approved or refused (la = loan_application, a = account). */
export function loanApplicationSource(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT to_char(la.applied_on, 'YYYY-MM') AS month, ${ACCOUNT_KEY},
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*) AS loan_applications, 0
    FROM loan_application la JOIN account a ON a.id = la.account_id
    WHERE ${where}
    GROUP BY 1, 2, 3`;
}

/** Overdue spells (s = loan_overdue_spell, l = loan, a = account): +1 in the month one opens, −1 in the month it closes. */
export function loanOverdueSource(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT to_char(x.on_date, 'YYYY-MM') AS month, ${ACCOUNT_KEY},
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sum(x.d) AS loan_overdue_delta
    FROM loan_overdue_spell s JOIN loan l ON l.id = s.loan_id JOIN account a ON a.id = l.account_id
    CROSS JOIN LATERAL (VALUES (s.from_on, 1), (s.to_on, -1)) AS x(on_date, d)
    WHERE x.on_date IS NOT NULL AND ${where}
    GROUP BY 1, 2, 3`;
}

/** Every source keyed by an account, over the accounts matching `where` (alias a): what re-keying an account moves. */
export function accountSources(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${ledgerSource(where)} UNION ALL ${agreementSource(where)} UNION ALL ${loanSource(where)}
    UNION ALL ${loanApplicationSource(where)} UNION ALL ${loanOverdueSource(where)}`;
}

/** Every measure recomputed from all source tables (one row per source and key; sum them by key). */
export const recomputedSource: Prisma.Sql = Prisma.sql`
  ${accountSources(Prisma.sql`TRUE`)} UNION ALL ${duplicateSource()}`;

/** The same, for the keys of one county only: every row it gives has that county code (accounts are keyed by their
 *  county, a duplicate check by its own or the unknown county's code). */
export function recomputedSourceOfCounty(countyCode: string): Prisma.Sql {
  return Prisma.sql`
    ${accountSources(Prisma.sql`a.county_code = ${countyCode}`)}
    UNION ALL ${duplicateSource(Prisma.sql`${DUPLICATE_COUNTY} = ${countyCode}`)}`;
}

/** The maintained figures: compacted rollups plus the deltas not compacted yet. */
export const maintainedSource: Prisma.Sql = Prisma.raw(
  ["metric_rollup", "metric_delta"]
    .map(
      (table) =>
        `SELECT month::text AS month, county_code::text AS county_code, employment_form, ${METRIC_COLUMNS.join(", ")} FROM ${table}`,
    )
    .join(" UNION ALL "),
);
