// npm run metrics:check — recomputes the pilot metrics from the source tables and compares them with the rollups
// plus pending deltas on the configured database; prints the report and exits 1 on any difference.
import { checkMetrics } from "../src/services/metrics/metrics-check";
import { runCheck } from "./run-check";

runCheck(checkMetrics);
