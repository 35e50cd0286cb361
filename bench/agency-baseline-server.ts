// Baseline for `rentalEligibility` of one person: a bare node:http server that answers with the hub's own read,
// `rentalEligibilities` of src/services/housing/rental-eligibility.ts, imported, not copied: the same named prepared
// statement (carried history included), the same facts and the same rule, with the housing parameters in force on
// asOf chosen by the hub's own rule (`parametersInForce`) from the policy_parameter table, read once at start (the
// hub keeps the same rows in memory and re-reads them every 2 s). No GraphQL, no auth, no Prisma, no exchange log.
// The bench checks both answer alike before anything is timed.
// GET /rental/<idNumber>?asOf=YYYY-MM-DD           ->  200 {"data":{"rentalEligibility":[{...}]}}   the read alone
// GET /rental-recorded/<idNumber>?asOf=YYYY-MM-DD  ->  the same, after the read's exchange record is committed (as
//   decision 038 did for row 3): the naive way, one autocommit statement per read (`insertExchangeRecord`, the hub's
//   own statement; the subject key by the hub's keyer and the installation's salt), not batched and not linked into
//   the chain. The record says what the hub's says for this read: the housing bureau's role, org and purpose, one
//   person asked, the answers given.
import { poolReads } from "../src/db/sql-reads";
import { rentalEligibilities } from "../src/services/housing/rental-eligibility";
import {
  type ParameterRow,
  parametersInForce,
  type ParametersOn,
} from "../src/services/policy/policy-parameters.service";
import { runBareServer } from "./lib/bare-server";
import { baselineRecorder } from "./lib/baseline-record";

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
  const record = await baselineRecorder(pool);
  return {
    pattern: /^\/rental(-recorded)?\/([0-9]{17}[0-9X])\?asOf=(\d{4}-\d{2}-\d{2})$/,
    async answer(m) {
      const at = new Date();
      const answers = await rentalEligibilities(services, [m[2]!], m[3]!);
      if (m[1])
        await record(
          {
            consumerRole: "HOUSING_BUREAU",
            consumerOrg: "housing-140500",
            operation: "rentalEligibility",
            purpose: "bench: 公租房资格审核",
            idNumbers: [m[2]!],
            resultSize: answers.length,
          },
          at,
        );
      return { data: { rentalEligibility: answers } };
    },
  };
});
