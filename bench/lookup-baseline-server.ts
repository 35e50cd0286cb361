// Baseline for `account` lookups: a bare node:http server that reads the account exactly as the hub's `account` query
// does for row 3's query (every field of the view, no entries): `readAccounts` of src/services/accounts/account-view.ts,
// imported, not copied, so the statement (the named prepared `hub_account_view_one`, a list's `hub_account_views`:
// carried history, subsidy entries, loans and the policy parameter included) and the computed fields (deposit history,
// withdrawable balance, outstanding loan) cannot drift from the hub's. No GraphQL, no auth, no Prisma, no exchange record: the floor for "the same
// read over HTTP" on this machine. The bench checks both answer alike before anything is timed.
// GET /account/<accountNumber>  ->  200 {"data":{"account":{...}}}
import { poolReads } from "../src/db/sql-reads";
import { readAccounts } from "../src/services/accounts/account-view";
import { runBareServer } from "./lib/bare-server";

runBareServer("lookup baseline", (pool) => {
  const reads = poolReads(pool);
  return {
    pattern: /^\/account\/([0-9]{1,32})$/,
    async answer(m) {
      const read = (await readAccounts(reads, [m[1]!], { storedOnly: false, page: null })).get(m[1]!);
      return { data: { account: read?.view ?? null } };
    },
  };
});
