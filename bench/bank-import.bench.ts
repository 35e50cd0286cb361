// 2. A bank collection result file of `rows` rows (default 1,000,000: 20,000 accounts x 50 months) streamed
//    into POST /imports/bank-collection of a fresh hub process: rows/s, total seconds and the hub's peak RSS.
//    Baseline: COPY of the same generated rows into a scratch table through pg (what the database absorbs raw).
import { request as httpRequest } from "node:http";

import { statementCounts } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric, months } from "./lib/context";
import { type CpuShare, describeCpu } from "./lib/cpu";
import { type BankFileProgress, type BankFileSpec, bankFileStream } from "./lib/csv";
import { copyFrom } from "./lib/pg-copy";
import { memoryOf, sampleRss } from "./lib/proc";
import { profiled } from "./lib/profile";
import { seedAccountsSql } from "./lib/seed";
import { statementsTable } from "./loans.bench";

const MB = 1024 * 1024;

interface ImportOutcome {
  status: number;
  body: string;
  seconds: number;
  timedOut: boolean;
  rowsSent: number;
}

function postFile(
  url: string,
  token: string,
  key: string,
  spec: BankFileSpec,
  progress: BankFileProgress,
  timeoutMs: number,
  log: (m: string) => void,
): Promise<ImportOutcome> {
  const target = new URL("/imports/bank-collection", url);
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const ticker = setInterval(
      () =>
        log(
          `    ... ${progress.rows.toLocaleString("en")} rows sent after ${elapsed().toFixed(0)} s (${(progress.rows / elapsed()).toFixed(0)} rows/s)`,
        ),
      15_000,
    );
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error("import timed out"));
    }, timeoutMs);
    const finish = (o: Omit<ImportOutcome, "seconds" | "timedOut" | "rowsSent">) => {
      clearInterval(ticker);
      clearTimeout(timer);
      resolve({ ...o, seconds: elapsed(), timedOut, rowsSent: progress.rows });
    };
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: {
          "content-type": "text/csv; charset=utf-8",
          authorization: `Bearer ${token}`,
          "idempotency-key": key,
          "transfer-encoding": "chunked",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (e) => finish({ status: 0, body: String(e.message) }));
      },
    );
    req.on("error", (e) => {
      if (timedOut) finish({ status: 0, body: "timed out" });
      else {
        clearInterval(ticker);
        clearTimeout(timer);
        reject(e);
      }
    });
    bankFileStream(spec, progress).pipe(req);
  });
}

/**
 * Rows posted per tenth of the file, from the hub's side: the posting id sequence is read every 250 ms (O(1), no
 * scan; one posting per accepted row) and the time each tenth was crossed is kept. The bytes sent by the load
 * generator say little here: loopback socket buffers hold megabytes of the file before the hub reads them.
 */
function tenthsTracker(pool: BenchContext["pool"], rows: number) {
  const tenths: number[] = [];
  let start = -1;
  let t0 = 0;
  let busy = false;
  const read = async () => {
    const { rows: r } = await pool.query<{ v: string; called: boolean }>(
      `SELECT last_value AS v, is_called AS called FROM posting_id_seq`,
    );
    return r[0]!.called ? Number(r[0]!.v) : Number(r[0]!.v) - 1;
  };
  const timer = setInterval(() => {
    if (busy || start < 0) return;
    busy = true;
    read()
      .then((v) => {
        const done = v - start;
        const now = (Date.now() - t0) / 1000;
        while (tenths.length < 10 && done >= ((tenths.length + 1) * rows) / 10) tenths.push(now);
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 250);
  return {
    async begin() {
      start = await read();
      t0 = Date.now();
    },
    stop(totalSeconds: number): number[] {
      clearInterval(timer);
      while (tenths.length < 10) tenths.push(totalSeconds);
      // rows/s of each tenth
      return tenths.map((t, i) => rows / 10 / Math.max(t - (i === 0 ? 0 : tenths[i - 1]!), 1e-3));
    },
  };
}

export async function bankImportBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const monthCount = Math.min(opts.months, opts.rows);
  const accountCount = Math.ceil(opts.rows / monthCount);
  const t = Date.now();
  const accounts = await seedAccountsSql(pool, {
    area: "140529", // its own area: the agency bench's rental workers are 140525 (bench/lib/seed.ts claimArea)
    count: accountCount,
    enrolledOn: ENROLLED_ON,
    monthlyAmount: "800.00",
    channel: "BANK_COLLECTION",
  });
  await pool.query("VACUUM ANALYZE");
  ctx.log(
    `  seeded ${accounts.length.toLocaleString("en")} bank-collection accounts in SQL in ${((Date.now() - t) / 1000).toFixed(1)} s; file: ${opts.rows.toLocaleString("en")} rows = ${accounts.length} accounts x ${monthCount} months, ${opts.fileOrder}-major`,
  );
  const spec: BankFileSpec = {
    accounts,
    periods: months(monthCount),
    amount: "800.00",
    rows: opts.rows,
    order: opts.fileOrder,
  };

  // Baseline: COPY the same rows into a scratch table (logged, no indexes).
  await pool.query(`DROP TABLE IF EXISTS bench_import_scratch`);
  await pool.query(
    `CREATE TABLE bench_import_scratch (payment_ref text, account_number text, period char(7), amount numeric(18,2), paid_on date, result text, reason text)`,
  );
  const client = await pool.connect();
  let copySeconds: number;
  let copied: number;
  let copyCpu: CpuShare;
  try {
    const measured = await ctx.measure(process.pid, [], () =>
      copyFrom(client, `COPY bench_import_scratch FROM STDIN WITH (FORMAT csv, HEADER true)`, bankFileStream(spec)),
    );
    copied = measured.result;
    copyCpu = measured.cpu;
    copySeconds = measured.seconds;
  } finally {
    client.release();
  }
  if (copied !== opts.rows) throw new Error(`COPY copied ${copied} rows, expected ${opts.rows}`);
  ctx.log(
    `  baseline COPY: ${copied.toLocaleString("en")} rows in ${copySeconds.toFixed(1)} s (${(copied / copySeconds).toFixed(0)} rows/s)\n    ${describeCpu(copyCpu)} (server under test = this process)`,
  );
  await pool.query(`DROP TABLE bench_import_scratch`);
  await pool.query("CHECKPOINT");

  // The hub: a fresh process, so that its peak RSS belongs to this import.
  const hub = await ctx.restartHub();
  const idle = memoryOf(hub.pid);
  const rss = sampleRss(hub.pid, 200);
  const progress: BankFileProgress = { rows: 0, bytes: 0 };
  const tracker = tenthsTracker(pool, opts.rows);
  ctx.log(
    `  streaming the file into ${hub.info.url}/imports/bank-collection (hub pid ${hub.pid}, idle RSS ${idle ? (idle.rss / MB).toFixed(0) : "?"} MB; cap ${opts.importTimeoutS} s; ${opts.importLanes ?? "the hub's default of 2"} lane(s), decision 041)`,
  );
  const before = await statementCounts(hub);
  const { result: measured, summary } = await profiled(opts.profile, hub, `${ctx.runTag}-import-hub`, () =>
    ctx.measure(hub.pid, [], async () => {
      await tracker.begin();
      return postFile(
        hub.info.url,
        ctx.token,
        `bench-import-${ctx.runTag}`,
        spec,
        progress,
        opts.importTimeoutS * 1000,
        ctx.log,
      );
    }),
  );
  const { result: outcome, cpu: importCpu } = measured;
  const after = await statementCounts(hub);
  const perTenth = tracker.stop(outcome.seconds);
  const memory = rss.stop();
  const inner = await hub.ask({ cmd: "memory" });
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM bank_payment_ref WHERE payment_ref LIKE 'BK%'`,
  );
  const posted = Number(rows[0]!.n);
  let result: Record<string, unknown> | null = null;
  try {
    result = JSON.parse(outcome.body) as Record<string, unknown>;
  } catch {
    result = null;
  }
  const peak = Math.max(memory.peakRss, Number.isFinite(memory.hwm) ? memory.hwm : 0);
  const hubRate = (outcome.timedOut ? posted : opts.rows) / outcome.seconds;
  ctx.log(
    `  hub import: HTTP ${outcome.status} after ${outcome.seconds.toFixed(1)} s${outcome.timedOut ? ` (TIMED OUT: ${posted.toLocaleString("en")} rows posted, extrapolated total >= ${(opts.rows / hubRate).toFixed(0)} s: the rate falls as history grows)` : ""}; ` +
      `result ${result ? JSON.stringify({ ...result, errors: (result.errors as unknown[] | undefined)?.slice(0, 3) }) : outcome.body.slice(0, 300)}; ` +
      `rows in bank_payment_ref: ${posted.toLocaleString("en")}; ` +
      `rows/s per tenth of the file (polled every 250 ms): ${perTenth.map((r) => r.toFixed(0)).join(", ")} (last/first ${(perTenth[9]! / perTenth[0]!).toFixed(2)}); peak RSS ${(peak / MB).toFixed(0)} MB (VmHWM ${(memory.hwm / MB).toFixed(0)} MB, polled max ${(memory.peakRss / MB).toFixed(0)} MB)\n` +
      `    hub's own peaks (MB): ${
        inner
          ? Object.entries(inner.memoryPeaks as Record<string, number>)
              .map(([k, v]) => `${k} ${(v / MB).toFixed(0)}`)
              .join(", ")
          : "n/a"
      }` +
      `${inner?.afterFullGc ? `; after a full GC: heapUsed ${((inner.afterFullGc as { heapUsed: number }).heapUsed / MB).toFixed(0)} MB, rss ${((inner.afterFullGc as { rss: number }).rss / MB).toFixed(0)} MB` : ""}\n    ${describeCpu(importCpu)}${summary ? `\n${summary}` : ""}`,
  );
  // The statements of the import (decision 028): how many per batch of 1,000 rows, and where their time went.
  ctx.log(before && after ? statementsTable(before, after) : "    (statements: the hub child did not answer)");
  if (!outcome.timedOut && (outcome.status !== 200 || !result || result.accepted !== opts.rows)) {
    throw new Error(`import did not accept every row: HTTP ${outcome.status} ${outcome.body.slice(0, 500)}`);
  }
  ctx.details.import = {
    rows: opts.rows,
    accounts: accounts.length,
    months: monthCount,
    fileOrder: opts.fileOrder,
    result,
    status: outcome.status,
    seconds: outcome.seconds,
    timedOut: outcome.timedOut,
    postedRows: posted,
    rowsPerSecondPerTenth: perTenth,
    peakRssBytes: peak,
    vmHwmBytes: memory.hwm,
    polledPeakRssBytes: memory.peakRss,
    idleRssBytes: idle?.rss ?? null,
    hubMemory: inner,
    cpu: importCpu,
    baseline: { copiedRows: copied, seconds: copySeconds, cpu: copyCpu },
  };
  const hubSeconds = outcome.timedOut ? opts.rows / hubRate : outcome.seconds;
  const note = outcome.timedOut
    ? `timed out at ${opts.importTimeoutS} s; total extrapolated from ${posted} rows`
    : undefined;
  const noise = { hub: importCpu.otherProcesses, baseline: copyCpu.otherProcesses };
  const rowsDone = outcome.timedOut ? posted : opts.rows;
  return [
    metric({
      bench: "import",
      metric: `bank import rows/s (${(opts.rows / 1e6).toFixed(2)}M rows)`,
      unit: "rows/s",
      hub: hubRate,
      baseline: copied / copySeconds,
      baselineLabel: "raw COPY into scratch table",
      target: null,
      noise,
      note,
    }),
    metric({
      bench: "import",
      metric: "bank import total time",
      unit: "s",
      hub: hubSeconds,
      baseline: copySeconds,
      baselineLabel: "raw COPY into scratch table",
      // Issue 12: at most 20x the COPY of the same rows, measured in the same run.
      target: { op: "<=", value: 20 * copySeconds },
      lowerIsBetter: true,
      noise,
      note,
    }),
    metric({
      bench: "import",
      metric: "bank import rows/s, last tenth of the file vs first",
      unit: "rows/s",
      hub: perTenth[9]!,
      baseline: perTenth[0]!,
      baselineLabel: "first tenth of the same import",
      // Issue 12: a flat rate as history grows (the last tenth within 20 % of the first).
      target: { op: ">=", value: 0.8 * perTenth[0]! },
      noise,
      note,
    }),
    metric({
      bench: "import",
      metric: "bank import CPU per 1,000 rows (hub; base: postgres)",
      unit: "ms",
      hub: (10 * importCpu.subject * outcome.seconds) / (rowsDone / 1000),
      baseline: (10 * importCpu.postgres * outcome.seconds) / (rowsDone / 1000),
      baselineLabel: "PostgreSQL during the hub import",
      target: null,
      noRatio: true,
      noise: { hub: importCpu.otherProcesses, baseline: null },
    }),
    metric({
      bench: "import",
      metric: "bank import hub peak RSS",
      unit: "MB",
      hub: peak / MB,
      baseline: idle ? idle.rss / MB : null,
      baselineLabel: "hub idle RSS before import",
      target: { op: "<", value: 300 },
      note: outcome.timedOut ? "import stopped at the time cap: peak of the part imported" : undefined,
    }),
  ];
}
