// Command-line options of `npm run bench -- --only=deposits --rows=100000 ...` (all optional).
export type BenchName =
  | "deposits"
  | "lookups"
  | "peer"
  | "pilotload"
  | "import"
  | "agency"
  | "scale"
  | "loans"
  | "quota"
  | "withdrawals"
  | "interest";
export const ALL_BENCHES: readonly BenchName[] = [
  "deposits",
  "lookups",
  "peer",
  "pilotload",
  "import",
  "agency",
  "scale",
  "loans",
  "quota",
  "withdrawals",
  "interest",
];

export interface BenchOptions {
  only: BenchName[];
  /** Connection string of the PostgreSQL server (a bench_<random> database is created on it). */
  serverUrl: string;
  concurrency: number;
  warmupS: number;
  /** Deposits: workers enrolled over GraphQL (hub side) and seeded by SQL (baseline side), and measured seconds. */
  workers: number;
  /** How many of the hub-side workers are enrolled through the enrollWorker mutation (the rest are seeded in SQL). */
  enrolViaGraphql: number;
  depositsS: number;
  /** Lookups: measured seconds. */
  lookupsS: number;
  /** Import: data rows in the bank file, months per account (accounts = rows / months), and the wall-clock cap. */
  rows: number;
  months: number;
  importTimeoutS: number;
  fileOrder: "month" | "account";
  /** Agency: persons seeded for the taxDeductions run (asked in pages of 500). */
  taxPersons: number;
  /** Loans: offset loans seeded for the runLoanRepayments run. */
  loans: number;
  /** Quota: SQL-seeded accounts asked for their loanQuota at random. */
  quotaAccounts: number;
  /** Interest: accounts seeded with a settlement year of history and settled through settleInterest. */
  interestAccounts: number;
  /** Connection pool of the hub under test (createHub's default is 20). */
  hubPool?: number;
  /** Batches of a bank file posted at once by the hub child (HUB_IMPORT_LANES; absent: the hub's default). */
  importLanes?: number;
  /** --max-old-space-size (MB) for the hub child, to see what a heap cap does to RSS and speed. */
  hubHeapMb?: number;
  /** Total seconds the run may wait, before measured windows, for other processes to go quiet. */
  quietWaitS: number;
  keepDb: boolean;
  /** Writes a V8 CPU profile of each hub child into bench/results/. */
  profile: boolean;
  /** Node major version the hub child runs under: "20" (this process's node) or "22" (.ci/node22.sh). */
  node: "20" | "22";
  /** Peer: measured seconds per read and server. */
  peerS: number;
  /** Pilot load: pilotMetrics reads per second (open loop) and seconds per window. */
  pilotRate: number;
  pilotS: number;
  /** Pilot load: connections the second hub reserves for pilotMetrics (the first shares the pool: decision 026). */
  pilotReadPool: number;
  /** Pilot load: the admission cap of the fourth hub (at most this many mutations at once; 0 = no such window). */
  pilotMutationCap: number;
  /** Pilot load: a window of one hub whose pilotMetrics answers are shared for this many ms (decision 033; 0 = no such window). */
  pilotStalenessMs: number;
  /** Pilot load: a split window whose reader process runs at this nice value (decision 033; 0 = no such window). */
  pilotReaderNice: number;
  /** Pilot load: which of the nine windows to run (1-based, in their order); absent: every window the other flags allow. */
  pilotWindows: number[] | null;
  /** Prints each measured window's full CPU breakdown. */
  verbose: boolean;
}

/** A nice value (-20..19) for --pilot-reader-nice; absent: -10. */
function niceValue(value: string | undefined): number {
  if (value === undefined) return -10;
  const n = Number(value);
  if (!Number.isInteger(n) || n < -20 || n > 19) throw new Error(`--pilot-reader-nice needs -20..19, got ${value}`);
  return n;
}

/** --pilot-windows=1,9: window numbers 1..9, each once. */
function windowList(value: string | undefined): number[] | null {
  if (value === undefined) return null;
  const list = value.split(",").map((s) => Number(s.trim()));
  if (
    list.length === 0 ||
    list.some((n) => !Number.isInteger(n) || n < 1 || n > 9) ||
    new Set(list).size !== list.length
  )
    throw new Error(`--pilot-windows needs distinct window numbers 1..9 separated by commas, got ${value}`);
  return list;
}

function num(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ""));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got ${value}`);
  return n;
}

function nodeVersion(value: string | undefined): "20" | "22" {
  if (value === undefined || value === "20") return "20";
  if (value === "22") return "22";
  throw new Error(`--node must be 20 or 22, got ${value}`);
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg} (expected --name=value)`);
    flags.set(m[1]!, m[2] ?? "true");
  }
  const known = new Set([
    "only",
    "db",
    "concurrency",
    "warmup",
    "workers",
    "enrol",
    "duration",
    "lookup-duration",
    "rows",
    "months",
    "import-timeout",
    "file-order",
    "tax-persons",
    "loans",
    "quota-accounts",
    "interest-accounts",
    "hub-pool",
    "import-lanes",
    "hub-heap",
    "quiet-wait",
    "keep-db",
    "profile",
    "node",
    "peer-duration",
    "verbose",
    "pilot-rate",
    "pilot-duration",
    "pilot-read-pool",
    "pilot-mutation-cap",
    "pilot-staleness",
    "pilot-reader-nice",
    "pilot-windows",
    "help",
  ]);
  for (const k of flags.keys())
    if (!known.has(k)) throw new Error(`unknown option --${k}; known: ${[...known].map((x) => `--${x}`).join(" ")}`);
  if (flags.has("help")) {
    process.stdout.write(
      [
        "npm run bench -- [options]",
        "  --only=deposits,lookups,peer,pilotload,withdrawals,scale,agency,loans,quota,import,interest   run a subset (default: all)",
        "  --db=postgres://postgres@127.0.0.1:5432/postgres   server to create bench_<random> on (or BENCH_DATABASE_URL)",
        "  --concurrency=48                 in-flight requests (deposits, lookups) and the SQL baseline's pool",
        "  --warmup=3 --duration=15 --lookup-duration=10   seconds",
        "  --workers=2000                   deposit-bench workers per side",
        "  --enrol=200                      of the hub side's workers, how many to enrol over GraphQL (rest: same rows in SQL)",
        "  --rows=1000000 --months=50       bank file rows; accounts = rows / months",
        "  --file-order=month|account       bank file rows month by month (default) or account by account",
        "  --tax-persons=100000             agency: persons asked for in taxDeductions (pages of 500)",
        "  --loans=100000                   loans: offset loans in the runLoanRepayments run",
        "  --quota-accounts=3000            quota: seeded accounts asked for their loanQuota (random, seeded)",
        "  --interest-accounts=1000000      interest: accounts with 12 months of history settled by settleInterest",
        "  --import-timeout=200             give up on the hub import after this many seconds (reports the rate so far)",
        "  --hub-pool=N                     hub database pool size (default: createHub's 20)",
        "  --import-lanes=N                 import: bank file batches the hub posts at once (default: 2 on PostgreSQL)",
        "  --hub-heap=MB                    run the hub child with --max-old-space-size=MB (default: V8's own limit)",
        "  --quiet-wait=20                  total seconds to wait, before measured windows, for other processes to go quiet",
        "  --keep-db --profile              keep the database; CPU-profile the hub over each measured window",
        "  --node=20|22                     run the hub child under this process's Node (20) or .ci/node22.sh's Node 22",
        "  --peer-duration=5                peer: seconds per read and server (3 reads x 7-8 servers + 2 lookups)",
        "  --verbose                        peer: full CPU breakdown of each window",
        "  --pilot-rate=20 --pilot-duration=10   pilotload: pilotMetrics reads/s and seconds per window",
        "  --pilot-read-pool=2                   pilotload: connections reserved for pilotMetrics in the second hub",
        "  --pilot-mutation-cap=8                pilotload: one hub with at most 8 mutations at once (0: skip that window)",
        "  --pilot-staleness=1000                pilotload: one hub sharing pilotMetrics answers for 1000 ms (0: skip that window)",
        "  --pilot-reader-nice=-10               pilotload: the split window again, its reader at nice -10 (0: skip that window)",
        "  --pilot-windows=1,9                   pilotload: only these of its nine windows (bench/README.md, row 3m, numbers them)",
        "",
      ].join("\n"),
    );
    process.exit(0);
  }
  const only = (flags.get("only") ?? ALL_BENCHES.join(","))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s === "bank-import" ? "import" : s));
  for (const name of only)
    if (!ALL_BENCHES.includes(name as BenchName)) throw new Error(`--only: unknown benchmark ${name}`);
  const hubPool = flags.get("hub-pool");
  return {
    only: only as BenchName[],
    serverUrl: flags.get("db") ?? process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    concurrency: Math.round(num(flags.get("concurrency"), 48, "concurrency")),
    warmupS: num(flags.get("warmup"), 3, "warmup"),
    workers: Math.round(num(flags.get("workers"), 2000, "workers")),
    enrolViaGraphql: Math.round(num(flags.get("enrol"), 200, "enrol")),
    depositsS: num(flags.get("duration"), 15, "duration"),
    lookupsS: num(flags.get("lookup-duration"), 10, "lookup-duration"),
    rows: Math.round(num(flags.get("rows"), 1_000_000, "rows")),
    months: Math.round(num(flags.get("months"), 50, "months")),
    importTimeoutS: num(flags.get("import-timeout"), 200, "import-timeout"),
    fileOrder: flags.get("file-order") === "account" ? "account" : "month",
    taxPersons: Math.round(num(flags.get("tax-persons"), 100_000, "tax-persons")),
    loans: Math.round(num(flags.get("loans"), 100_000, "loans")),
    quotaAccounts: Math.round(num(flags.get("quota-accounts"), 3000, "quota-accounts")),
    interestAccounts: Math.round(num(flags.get("interest-accounts"), 1_000_000, "interest-accounts")),
    hubPool: hubPool === undefined ? undefined : Math.round(num(hubPool, 20, "hub-pool")),
    importLanes: flags.has("import-lanes") ? Math.round(num(flags.get("import-lanes"), 2, "import-lanes")) : undefined,
    quietWaitS: flags.has("quiet-wait") ? Number(flags.get("quiet-wait")) || 0 : 20,
    hubHeapMb: flags.has("hub-heap") ? Math.round(num(flags.get("hub-heap"), 256, "hub-heap")) : undefined,
    keepDb: flags.get("keep-db") === "true",
    profile: flags.get("profile") === "true",
    node: nodeVersion(flags.get("node") ?? process.env.BENCH_HUB_NODE),
    peerS: num(flags.get("peer-duration"), 5, "peer-duration"),
    verbose: flags.get("verbose") === "true",
    pilotRate: num(flags.get("pilot-rate"), 20, "pilot-rate"),
    pilotS: num(flags.get("pilot-duration"), 10, "pilot-duration"),
    pilotReadPool: num(flags.get("pilot-read-pool"), 2, "pilot-read-pool"),
    pilotMutationCap:
      flags.get("pilot-mutation-cap") === "0"
        ? 0
        : Math.round(num(flags.get("pilot-mutation-cap"), 8, "pilot-mutation-cap")),
    pilotStalenessMs:
      flags.get("pilot-staleness") === "0" ? 0 : Math.round(num(flags.get("pilot-staleness"), 1000, "pilot-staleness")),
    pilotReaderNice: niceValue(flags.get("pilot-reader-nice")),
    pilotWindows: windowList(flags.get("pilot-windows")),
  };
}
