// npm run ledger:check — proves the ledger invariants on the configured database; exits 1 when any fails.
import { checkLedger } from "../src/ledger/ledger-check";
import { runCheck } from "./run-check";

runCheck(checkLedger);
