// Baseline for `rentalEligibility` of one person: a bare node:http server that answers with the hub's own read,
// `rentalEligibilities` of src/services/housing/rental-eligibility.ts, imported, not copied: the same named prepared
// statement (carried history included), the same facts and the same rule, with the housing parameters in force on
// asOf chosen by the hub's own rule (`parametersInForce`) from the policy_parameter table, read once at start (the
// hub keeps the same rows in memory and re-reads them every 2 s). No GraphQL, no auth, no Prisma, no exchange log.
// The bench checks both answer alike before anything is timed.
// GET /rental/<idNumber>?asOf=YYYY-MM-DD  ->  200 {"data":{"rentalEligibility":[{...}]}}
import { poolReads } from "../src/db/sql-reads";
import { rentalEligibilities } from "../src/services/housing/rental-eligibility";
import {
  type ParameterRow,
  parametersInForce,
  type ParametersOn,
} from "../src/services/policy/policy-parameters.service";
import { runBareServer } from "./lib/bare-server";

runBareServer("agency baseline", async (pool) => {
  const { rows } = await pool.query<ParameterRow>(
    `SELECT key, value, unit, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", source, recorded_at AS "recordedAt"
       FROM policy_parameter ORDER BY key, effective_from, id`,
  );
  // Kept per date, as the hub's PolicyParameterService does.
  const byDate = new Map<string, ParametersOn>();
  const on = async (date: string) => {
    let params = byDate.get(date);
    if (!params) byDate.set(date, (params = parametersInForce(rows, date)));
    return params;
  };
  const services = { reads: poolReads(pool), policy: { on } };
  return {
    pattern: /^\/rental\/([0-9]{17}[0-9X])\?asOf=(\d{4}-\d{2}-\d{2})$/,
    async answer(m) {
      return { data: { rentalEligibility: await rentalEligibilities(services, [m[1]!], m[2]!) } };
    },
  };
});
