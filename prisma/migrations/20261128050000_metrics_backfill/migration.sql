-- Backfill of the pilot metric rollups (issue 4): a database that already holds enrolments, postings or refused
-- duplicate checks gets rollups equal to a recomputation from those source tables (the same definitions as
-- src/services/metrics/metric-sources.ts). From here on the hub maintains them through metric_delta.
-- Data only: the schema does not change. On an empty database this inserts nothing.
INSERT INTO "metric_rollup" ("month", "county_code", "employment_form", "enrolled", "exited", "active_delta", "deposit_amount",
  "deposit_count", "withdrawal_amount", "loan_count", "loan_amount", "graduate_subsidy_amount", "interest_subsidy_amount",
  "duplicate_blocks", "balance_delta", "loan_outstanding_delta")
SELECT month, county_code, employment_form, sum(enrolled), sum(exited), sum(active_delta), sum(deposit_amount), sum(deposit_count),
  sum(withdrawal_amount), 0, 0, sum(graduate_subsidy_amount), sum(interest_subsidy_amount), sum(duplicate_blocks), sum(balance_delta), 0
FROM (
  SELECT to_char(e.posted_on, 'YYYY-MM') AS month, a.county_code::text AS county_code, coalesce(a.employment_form, 'UNKNOWN') AS employment_form,
    0 AS enrolled, 0 AS exited, 0 AS active_delta,
    coalesce(sum(e.credit) FILTER (WHERE e.kind IN ('DEPOSIT', 'BACK_PAYMENT', 'LUMP_SUM')), 0) AS deposit_amount,
    count(DISTINCT e.posting_id) FILTER (WHERE e.kind IN ('DEPOSIT', 'BACK_PAYMENT', 'LUMP_SUM')) AS deposit_count,
    coalesce(sum(e.debit) FILTER (WHERE e.kind IN ('WITHDRAWAL', 'EXIT_PAYOUT')), 0) AS withdrawal_amount,
    coalesce(sum(e.credit) FILTER (WHERE e.kind = 'GRADUATE_SUBSIDY'), 0) AS graduate_subsidy_amount,
    coalesce(sum(e.credit) FILTER (WHERE e.kind = 'INTEREST_SUBSIDY'), 0) AS interest_subsidy_amount,
    0 AS duplicate_blocks,
    coalesce(sum(e.credit - e.debit) FILTER (WHERE a.kind = 'FLEXIBLE'), 0) AS balance_delta
  FROM "ledger_entry" e JOIN "account" a ON a.ledger_account_id = e.ledger_account_id
  GROUP BY 1, 2, 3
  UNION ALL
  SELECT to_char(x.on_date, 'YYYY-MM'), a.county_code::text, coalesce(a.employment_form, 'UNKNOWN'),
    sum(x.enrolled), sum(x.exited), sum(x.enrolled - x.exited), 0, 0, 0, 0, 0, 0, 0
  FROM "agreement" g JOIN "account" a ON a.id = g.account_id
  CROSS JOIN LATERAL (VALUES (g.signed_on, 1, 0), (g.ended_on, 0, 1)) AS x(on_date, enrolled, exited)
  WHERE x.on_date IS NOT NULL
  GROUP BY 1, 2, 3
  UNION ALL
  SELECT to_char(d.checked_on, 'YYYY-MM'), coalesce(d.county_code::text, '000000'), coalesce(d.employment_form, 'UNKNOWN'),
    0, 0, 0, 0, 0, 0, 0, 0, count(*), 0
  FROM "duplicate_check" d
  GROUP BY 1, 2, 3
) s
GROUP BY 1, 2, 3
ON CONFLICT ("month", "county_code", "employment_form") DO NOTHING;
