// Baseline for `account` lookups: a bare node:http server that reads the account exactly as the hub's `account` query
// does for row 3's query (every field of the view, no entries): `readAccounts` of src/services/accounts/account-view.ts,
// imported, not copied, so the statement (the named prepared `hub_account_view_one`, a list's `hub_account_views`:
// carried history, subsidy entries, loans and the policy parameter included) and the computed fields (deposit history,
// withdrawable balance, outstanding loan) cannot drift from the hub's. No GraphQL, no auth, no Prisma: the floor for
// "the same read over HTTP" on this machine. The bench checks both answer alike before anything is timed.
// GET /account/<accountNumber>           ->  200 {"data":{"account":{...}}}   the read alone (row 3's baseline)
// GET /account-recorded/<accountNumber>  ->  the same, after the read's exchange record is committed (decision 038):
//   the naive way, one autocommit statement per read (`insertExchangeRecord`, the hub's own statement; the subject key
//   by the hub's keyer and the installation's salt), not batched and not linked into the chain.
import { poolReads } from "../src/db/sql-reads";
import { type AccountView, readAccounts } from "../src/services/accounts/account-view";
import { runBareServer } from "./lib/bare-server";
import { baselineRecorder } from "./lib/baseline-record";

runBareServer("lookup baseline", async (pool) => {
  const reads = poolReads(pool);
  const record = await baselineRecorder(pool);
  return {
    pattern: /^\/account(-recorded)?\/([0-9]{1,32})$/,
    async answer(m) {
      const at = new Date();
      const read = (await readAccounts(reads, [m[2]!], { storedOnly: false, page: null })).get(m[2]!);
      const view = (read?.view as AccountView | undefined) ?? null;
      if (m[1])
        await record(
          {
            consumerRole: "CENTER_OPERATOR",
            consumerOrg: "140500",
            operation: "account",
            purpose: null,
            idNumbers: view ? [view.idNumber] : [],
            resultSize: view ? 1 : 0,
          },
          at,
        );
      return { data: { account: read?.view ?? null } };
    },
  };
});
