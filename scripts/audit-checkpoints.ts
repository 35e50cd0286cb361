// npm run audit:checkpoints — verifies the exchange log of the configured database against the signed checkpoints
// in HUB_AUDIT_CHECKPOINT_DIR (signed with HUB_AUDIT_ANCHOR_KEY), prints the report with the newest checkpoints
// (for the operator to export), and exits 1 when the log does not verify.
import { loadConfig } from "../src/config";
import { ExchangeAnchor } from "../src/services/audit/exchange-anchor";
import { verifyExchangeLog } from "../src/services/audit/exchange-log.verify";
import { runCheck } from "./run-check";

const { audit } = loadConfig();
if (!audit.anchorKey || !audit.checkpointDir) {
  process.stderr.write("set HUB_AUDIT_ANCHOR_KEY and HUB_AUDIT_CHECKPOINT_DIR (the hub's anchor key and folder)\n");
  process.exit(1);
}
const anchor = new ExchangeAnchor(audit.anchorKey, audit.checkpointDir);

runCheck(async (prisma) => {
  const checkpoints = anchor.all();
  return {
    ...(await verifyExchangeLog(prisma, anchor)),
    checkpointFile: anchor.location,
    checkpoints: checkpoints.length,
    newest: checkpoints.slice(-5),
  };
});
