// rentalEligibility: priority and deposit-waiver eligibility of up to 500 persons as of a date, in one SQL statement
// whatever the number of persons. The rule (src/domain/housing/rental-eligibility.rule.ts) decides; this reads, per
// person, the account that counts (the active one, else the latest), its deposit plan in force on asOf, the months
// paid by then, the months it carries from a transfer in or a pre-pilot account (as the account view does) and the
// person's fraud bans in force on asOf. Unknown persons are answered like anyone not eligible (NOT_ENROLLED), never
// with an error.
import { commaList } from "../../db/pg-array";
import type { SqlReads } from "../../db/sql-reads";
import { monthOf } from "../../domain/calendar/calendar";
import type { CarriedRun } from "../../domain/deposits/deposit-history";
import {
  type HousingAccountFacts,
  type HousingParameters,
  type RentalEligibility,
  rentalEligibility,
} from "../../domain/housing/rental-eligibility.rule";
import { badInput } from "../../errors";
import { distinctIdNumbers } from "../id-number-batch";
import { MissingParameterError, type ParametersOn, type PolicyParameters } from "../policy/policy-parameters.service";

export interface RentalEligibilityDto extends RentalEligibility {
  idNumber: string;
}

interface AccountRow {
  id_number: string;
  kind: string;
  status: string;
  opened_on: string;
  deposit_day: number | null;
  /** Comma-separated (commaList): pg's array parser cost more than the rule (decision 053). */
  periods: string | null;
  paid_on: string | null;
  carried: CarriedRun[] | null;
  ban_kinds: string[] | null;
  ban_from: string[] | null;
  ban_until: string[] | null;
}

function housingParameters(params: ParametersOn): HousingParameters {
  return {
    priorityMinConsecutiveMonths: params.int("housing.priorityMinConsecutiveMonths"),
    depositWaiverMinConsecutiveMonths: params.int("housing.depositWaiverMinConsecutiveMonths"),
    noUnpaidInLastMonths: params.int("housing.noUnpaidInLastMonths"),
  };
}

/** What the read needs of the hub (the bench's bare baseline passes its pool and the parameters it read). */
export interface RentalReadServices {
  reads: SqlReads;
  policy: PolicyParameters;
}

async function parametersOn(hub: Pick<RentalReadServices, "policy">, asOf: string): Promise<HousingParameters> {
  try {
    return housingParameters(await hub.policy.on(asOf));
  } catch (e) {
    if (e instanceof MissingParameterError)
      throw badInput(`${asOf} 没有生效的住房保障参数 (no housing parameters in force on asOf)`, "asOf");
    throw e;
  }
}

function toFacts(row: AccountRow): HousingAccountFacts {
  const paidOn = commaList(row.paid_on);
  return {
    kind: row.kind,
    status: row.status,
    openedOn: row.opened_on,
    depositDay: row.deposit_day,
    paidMonths: commaList(row.periods).map((period, i) => ({ period, paidOn: paidOn[i]! })),
    carried: row.carried ?? [],
    bans: (row.ban_kinds ?? []).map((kind, i) => ({ kind, decidedOn: row.ban_from![i]!, until: row.ban_until![i]! })),
  };
}

/**
 * $1 the distinct ID numbers, $2 asOf, $3 the month of asOf. Text, integers, text arrays and json only (sql-reads.ts).
 * Each person asked is looked up by `person_id_number_key` in a subquery of its own: the ID number is unique, and the
 * `LIMIT 1` keeps PostgreSQL from folding the lookup into one join. With `p.id_number = ANY($1)` a custom plan of a
 * call with many ID numbers scanned the whole person table instead (32–66 against 12–20 ms for 500 persons among 105,000),
 * and a list statement is planned again for every call (decisions 037, 061).
 */
export const RENTAL_SQL = `
    SELECT DISTINCT ON (p.id) p.id_number::text AS id_number, a.kind::text AS kind, a.status::text AS status,
           to_char(a.opened_on, 'YYYY-MM-DD') AS opened_on,
           plan.deposit_day, paid.periods, paid.paid_on, ban.ban_kinds, ban.ban_from, ban.ban_until,
           (SELECT json_agg(json_build_object('paidMonths', ch.paid_months, 'paidUpTo', ch.paid_up_to,
              'continuousMonths', ch.continuous_months)) FROM carried_history ch WHERE ch.account_id = a.id) AS carried
      FROM unnest($1::bpchar[]) AS asked(id_number)
     CROSS JOIN LATERAL (SELECT p.id, p.id_number FROM person p WHERE p.id_number = asked.id_number LIMIT 1) p
      JOIN account a ON a.person_id = p.id
      LEFT JOIN LATERAL (
        SELECT dp.deposit_day FROM deposit_plan dp
         WHERE dp.account_id = a.id AND dp.effective_from <= $2::date
         ORDER BY dp.effective_from DESC, dp.id DESC LIMIT 1) plan ON true
      LEFT JOIN LATERAL (
        SELECT string_agg(dm.period::text, ',' ORDER BY dm.period) AS periods,
               string_agg(to_char(dm.paid_on, 'YYYY-MM-DD'), ',' ORDER BY dm.period) AS paid_on
          FROM deposit_month dm
         WHERE dm.account_id = a.id AND dm.period <= $3::bpchar AND dm.paid_on <= $2::date) paid ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(b.kind::text) AS ban_kinds, array_agg(to_char(b.decided_on, 'YYYY-MM-DD')) AS ban_from,
               array_agg(to_char(b.until, 'YYYY-MM-DD')) AS ban_until
          FROM fraud_ban b
         WHERE b.person_id = p.id AND b.decided_on <= $2::date AND b.until > $2::date) ban ON true
     ORDER BY p.id, (a.status = 'ACTIVE') DESC, a.id DESC`;

export async function rentalEligibilities(
  hub: RentalReadServices,
  idNumbers: readonly string[],
  asOf: string,
  /** Called once the request is found valid, just before the read (the caller records the read there). */
  beforeRead: () => void = () => {},
): Promise<RentalEligibilityDto[]> {
  const ids = distinctIdNumbers(idNumbers);
  if (ids.length === 0) return [];
  const params = await parametersOn(hub, asOf);
  beforeRead();
  const rows = await hub.reads.query<AccountRow>(
    "hub_rental_eligibility",
    RENTAL_SQL,
    [ids, asOf, monthOf(asOf)],
    ids.length,
  );
  const byPerson = new Map(rows.map((row) => [row.id_number, toFacts(row)]));
  return idNumbers.map((idNumber) => ({
    idNumber,
    ...rentalEligibility(byPerson.get(idNumber) ?? null, asOf, params),
  }));
}
