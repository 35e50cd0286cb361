// npm run metrics:rebuild [-- --county=140502,140581] [-- --from=140525]
// Rebuilds the pilot-metric rollups from the source tables on the configured database (DATABASE_URL or HUB_DATA_DIR),
// one county per transaction, safe while hubs run on PostgreSQL (src/jobs/metrics-rebuild.ts). Prints one JSON line
// per county as it commits; `--from` resumes a stopped run at that county. Run `npm run metrics:check` afterwards.
import { metricCounties, rebuildMetrics } from "../src/jobs/metrics-rebuild";
import { openOperatorDatabase, OPERATOR_STATEMENT_TIMEOUT_MS } from "./run-check";

function argument(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv
    .slice(2)
    .find((a) => a.startsWith(prefix))
    ?.slice(prefix.length);
}

async function main(): Promise<void> {
  const unknown = process.argv.slice(2).filter((a) => !/^--(county|from)=/.test(a));
  if (unknown.length) throw new Error(`unknown argument ${unknown.join(" ")}: use --county=CODE[,CODE] or --from=CODE`);
  const db = await openOperatorDatabase();
  try {
    const asked = argument("county")?.split(",").filter(Boolean);
    const from = argument("from");
    const counties = (asked ?? (await metricCounties(db.prisma))).filter((c) => from === undefined || c >= from);
    const done = await rebuildMetrics(db.prisma, {
      counties,
      transactionTimeoutMs: OPERATOR_STATEMENT_TIMEOUT_MS + 60_000,
      onCounty: (c) => process.stdout.write(`${JSON.stringify(c)}\n`),
    });
    const total = (field: "rows" | "removed" | "deltas") => done.reduce((n, c) => n + c[field], 0);
    process.stdout.write(
      `${JSON.stringify({ counties: done.length, rows: total("rows"), removed: total("removed"), deltas: total("deltas") })}\n`,
    );
  } finally {
    await db.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
