// Peer: the hub's reads beside PostGraphile 5 on the same PostgreSQL tables in the same run (issue 12).
// Three reads of random accounts among `--workers` with >= 12 ledger entries, c = --concurrency (48):
//   flat     account, flat fields (number, ID number, name, kind, status, county, opened on, balance)
//   entries  the same and the account's 12 latest ledger entries
//   row      one row of one table (account number and status)
// against: the hub as CENTER_OPERATOR (exchange log written), the hub as WORKER (each request with the token of
// the account it reads), both on Node 20 and on Node 22; PostGraphile 5 (bench/peer-server.ts, Amber preset)
// on Node 22, with and without the hub's JWT check in front, and on Node 20 (with a Promise.withResolvers polyfill,
// which Node 20 lacks and PostGraphile 5 calls); and a bare
// node:http + pg server, one statement per read (bench/peer-baseline-server.ts). Before anything is measured,
// every server answers the same sample of accounts and the answers (canonical form: money as 2-decimal strings,
// PostGraphile's debit/credit as credit - debit) must be equal. Also the row-3 `account` query (bench/lib/seed.ts
// ACCOUNT) on the hub under Node 20 and Node 22, to compare the runtimes on the lookups row.
import Decimal from "decimal.js";

import { signDevToken } from "../src/auth/token-verifier";
import { topUpMonths } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric, prng } from "./lib/context";
import { type CpuShare, describeCpu } from "./lib/cpu";
import { analyzeAfterWarmUp } from "./lib/db";
import { type LoadRequest, type LoadResult, runLoad } from "./lib/load";
import { node22Path } from "./lib/node22";
import { type NodeChild, startNodeChild } from "./lib/proc";
import { profiled } from "./lib/profile";
import { ACCOUNT, seedAccountsSql } from "./lib/seed";

const MIN_ENTRIES = 12;
const SAMPLE = 25;

type Read = "flat" | "entries" | "row" | "lookup";
type Kind = "hub" | "peer" | "base";

const FLAT_HUB = "accountNumber idNumber name kind status countyCode openedOn balance";
const ENTRY_HUB = "entries(first: 12) { edges { node { id postedOn kind amount period balanceAfter } } }";
const HUB_QUERY: Record<Read, string> = {
  flat: `query Flat($n: String!) { account(accountNumber: $n) { ${FLAT_HUB} } }`,
  entries: `query Entries($n: String!) { account(accountNumber: $n) { ${FLAT_HUB} ${ENTRY_HUB} } }`,
  row: `query Row($n: String!) { account(accountNumber: $n) { accountNumber status } }`,
  lookup: ACCOUNT,
};
const FLAT_PEER =
  "accountNumber kind status countyCode openedOn personByPersonId { idNumber name } ledgerAccountByLedgerAccountId { balance";
const ENTRY_PEER =
  "ledgerEntriesByLedgerAccountId(first: 12, orderBy: PRIMARY_KEY_DESC) { nodes { rowId postedOn kind debit credit period balanceAfter } }";
const PEER_QUERY: Partial<Record<Read, string>> = {
  flat: `query Flat($n: String!) { accountByAccountNumber(accountNumber: $n) { ${FLAT_PEER} } } }`,
  entries: `query Entries($n: String!) { accountByAccountNumber(accountNumber: $n) { ${FLAT_PEER} ${ENTRY_PEER} } } }`,
  row: `query Row($n: String!) { accountByAccountNumber(accountNumber: $n) { accountNumber status } }`,
};

interface Server {
  name: string;
  kind: Kind;
  node: string;
  child: NodeChild;
  /** The bearer token for a request reading `account` (null: none sent). */
  token: (account: string) => string | null;
  reads: Read[];
}

const money = (v: unknown) => (v === null || v === undefined ? null : new Decimal(String(v)).toFixed(2));

/** The answer in one shape whoever gave it: fixed key order, money with two decimals. */
function canonical(read: Read, kind: Kind, body: string): string {
  const data = (JSON.parse(body) as { data?: Record<string, unknown> }).data;
  type Obj = Record<string, unknown>;
  const raw = (kind === "peer" ? data?.accountByAccountNumber : data?.account) as Obj | null | undefined;
  if (!raw) return "null";
  if (read === "row") return JSON.stringify({ accountNumber: raw.accountNumber, status: raw.status });
  const person = (raw.personByPersonId ?? raw) as Obj;
  const ledger = (raw.ledgerAccountByLedgerAccountId ?? raw) as Obj;
  const out: Obj = {
    accountNumber: raw.accountNumber,
    idNumber: person.idNumber,
    name: person.name,
    kind: raw.kind,
    status: raw.status,
    countyCode: raw.countyCode,
    openedOn: raw.openedOn,
    balance: money(ledger.balance),
  };
  if (read === "entries") {
    const list: Obj[] =
      kind === "peer"
        ? ((ledger.ledgerEntriesByLedgerAccountId as { nodes: Obj[] }).nodes ?? []).map((e): Obj => ({
            ...e,
            id: e.rowId,
            amount: new Decimal(String(e.credit)).minus(String(e.debit)).toFixed(2),
          }))
        : kind === "hub"
          ? (raw.entries as { edges: { node: Obj }[] }).edges.map((x) => x.node)
          : (raw.entries as Obj[]);
    out.entries = list.map((e) => ({
      id: String(e.id),
      postedOn: e.postedOn,
      kind: e.kind,
      amount: money(e.amount),
      period: e.period ?? null,
      balanceAfter: money(e.balanceAfter ?? 0),
    }));
  }
  return JSON.stringify(out);
}

function request(server: Server, read: Read, account: string): LoadRequest {
  if (server.kind === "base") return { method: "GET", path: `/${read}/${account}` };
  const token = server.token(account);
  return {
    method: "POST",
    path: "/graphql",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({
      query: server.kind === "peer" ? PEER_QUERY[read] : HUB_QUERY[read],
      variables: { n: account },
    }),
  };
}

function check(status: number, body: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
  if (body.includes('"errors":')) return `errors: ${body.slice(0, 300)}`;
  if (!body.includes('"accountNumber":"')) return `no account: ${body.slice(0, 200)}`;
  return null;
}

async function fetchOnce(server: Server, read: Read, account: string): Promise<string> {
  const r = request(server, read, account);
  const res = await fetch(`${server.child.info.url}${r.path}`, {
    method: r.method,
    headers: r.headers,
    body: r.body,
  });
  const body = await res.text();
  const problem = check(res.status, body);
  if (problem) throw new Error(`${server.name}, ${read} of ${account}: ${problem}`);
  return canonical(read, server.kind, body);
}

interface Row {
  read: Read;
  server: string;
  node: string;
  result: LoadResult;
  cpu: CpuShare;
  serverCpuMsPerReq: number;
  pgCpuMsPerReq: number;
  /** Hub only: statements (and BEGINs) its pg clients sent per answered request over the window. */
  statementsPerReq: number | null;
  transactionsPerReq: number | null;
}

/** Statements the hub child's pg clients have sent so far (bench/hub-process.ts counts every query). */
async function statementCount(child: NodeChild): Promise<{ total: number; transactions: number } | null> {
  const answer = await child.ask({ cmd: "statements" });
  return answer && typeof answer.total === "number" && typeof answer.transactions === "number"
    ? { total: answer.total, transactions: answer.transactions }
    : null;
}

export async function peerBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const c = opts.concurrency;
  const accounts =
    ctx.shared.depositWorkers ??
    (await seedAccountsSql(pool, {
      area: "140536",
      count: opts.workers,
      enrolledOn: ENROLLED_ON,
      monthlyAmount: "1000.00",
      channel: "ACTIVE_PAYMENT",
    }));
  const added = await topUpMonths(pool, accounts, Math.max(MIN_ENTRIES, ctx.shared.depositMonthsPaid ?? 0));
  await pool.query("ANALYZE");
  ctx.log(
    `  ${accounts.length} accounts with >= ${MIN_ENTRIES} ledger entries each (${added} months topped up in SQL)`,
  );

  const operator = () => ctx.token;
  const secret = ctx.hubEnv.BENCH_JWT_SECRET!;
  const workerTokens = new Map<string, string>();
  for (const a of accounts)
    workerTokens.set(a, await signDevToken(secret, { role: "WORKER", sub: a, org: "140500" }, "4h"));
  const worker = (a: string) => workerTokens.get(a)!;

  const hubNode = opts.node;
  const otherNode = hubNode === "22" ? "20" : "22";
  const n22 = node22Path();
  const execFor = (v: string) => (v === "22" ? n22 : process.execPath);
  const started: NodeChild[] = [];
  const servers: Server[] = [];
  try {
    const hubA = await ctx.hub();
    const hubB = await startNodeChild(`hub (Node ${otherNode})`, "bench/hub-process.ts", ctx.hubEnv, {
      execPath: execFor(otherNode),
      readyTimeoutMs: 120_000,
      nodeArgs: ["--expose-gc"],
    });
    started.push(hubB);
    const byNode: Record<string, NodeChild> = { [hubNode]: hubA, [otherNode]: hubB };
    for (const v of ["20", "22"]) {
      servers.push({
        name: `hub CENTER_OPERATOR, Node ${v}`,
        kind: "hub",
        node: v,
        child: byNode[v]!,
        token: operator,
        reads: ["flat", "entries", "row", "lookup"],
      });
      servers.push({
        name: `hub WORKER (own), Node ${v}`,
        kind: "hub",
        node: v,
        child: byNode[v]!,
        token: worker,
        reads: ["flat", "entries", "row"],
      });
    }
    const peerEnv = { ...ctx.hubEnv, GRAPHILE_ENV: "production" };
    const peer = await startNodeChild("PostGraphile (Node 22)", "bench/peer-server.ts", peerEnv, {
      execPath: n22,
      readyTimeoutMs: 120_000,
    });
    started.push(peer);
    servers.push({
      name: "PostGraphile 5, Node 22",
      kind: "peer",
      node: "22",
      child: peer,
      token: () => null,
      reads: ["flat", "entries", "row"],
    });
    const peerJwt = await startNodeChild(
      "PostGraphile + JWT (Node 22)",
      "bench/peer-server.ts",
      { ...peerEnv, BENCH_PEER_JWT: "1" },
      { execPath: n22, readyTimeoutMs: 120_000 },
    );
    started.push(peerJwt);
    servers.push({
      name: "PostGraphile 5 + JWT check, Node 22",
      kind: "peer",
      node: "22",
      child: peerJwt,
      token: operator,
      reads: ["flat", "entries", "row"],
    });
    // Node 22's V8 (12.4) turns on the Maglev mid-tier JIT by default; Node 20's V8 (11.3) does not. PostGraphile
    // on Node 22 with Maglev off tells how much of its Node 22 gain is Maglev.
    const peerNoMaglev = await startNodeChild("PostGraphile --no-maglev (Node 22)", "bench/peer-server.ts", peerEnv, {
      execPath: n22,
      readyTimeoutMs: 120_000,
      nodeArgs: ["--no-maglev"],
    });
    started.push(peerNoMaglev);
    servers.push({
      name: "PostGraphile 5, Node 22 --no-maglev",
      kind: "peer",
      node: "22",
      child: peerNoMaglev,
      token: () => null,
      reads: ["flat", "entries", "row"],
    });
    try {
      const peer20 = await startNodeChild("PostGraphile (Node 20)", "bench/peer-server.ts", peerEnv, {
        readyTimeoutMs: 120_000,
      });
      started.push(peer20);
      const candidate: Server = {
        name: "PostGraphile 5, Node 20 (polyfill)",
        kind: "peer",
        node: "20",
        child: peer20,
        token: () => null,
        reads: ["flat", "entries", "row"],
      };
      // On Node 20 it needs bench/peer-server.ts's Promise.withResolvers polyfill; checked before it joins the row.
      for (const read of candidate.reads) await fetchOnce(candidate, read, accounts[0]!);
      servers.push(candidate);
    } catch (e) {
      const tail = started.at(-1)?.name === "PostGraphile (Node 20)" ? started.at(-1)!.stderrTail() : "";
      ctx.log(
        `  PostGraphile 5 on Node 20 (${process.version}) left out: ${(e as Error).message.split("\n").slice(0, 3).join(" ")}` +
          (tail ? `\n    its stderr: ${tail.replace(/\s+/g, " ").slice(0, 1200)}` : ""),
      );
    }
    const base = await startNodeChild("peer baseline", "bench/peer-baseline-server.ts", ctx.hubEnv);
    started.push(base);
    servers.push({
      name: "bare http + pg",
      kind: "base",
      node: "20",
      child: base,
      token: () => null,
      reads: ["flat", "entries", "row"],
    });
    ctx.log(
      `  servers: ${servers
        .map((s) => `${s.name} (pid ${s.child.pid})`)
        .filter((x, i, all) => all.indexOf(x) === i)
        .join("; ")}`,
    );

    // Same figures for the same accounts from every server, before anything is measured.
    const sampleRandom = prng(7);
    const sample = Array.from({ length: SAMPLE }, () => accounts[Math.floor(sampleRandom() * accounts.length)]!);
    for (const read of ["flat", "entries", "row"] as Read[]) {
      for (const a of sample) {
        const answers = await Promise.all(
          servers
            .filter((s) => s.reads.includes(read))
            .map(async (s) => [s.name, await fetchOnce(s, read, a)] as const),
        );
        const [first, ...rest] = answers;
        for (const [name, text] of rest)
          if (text !== first![1])
            throw new Error(`${read} of ${a}: ${name} answered\n  ${text}\nbut ${first![0]} answered\n  ${first![1]}`);
        if (read === "entries" && (JSON.parse(first![1]) as { entries: unknown[] }).entries.length !== MIN_ENTRIES)
          throw new Error(`${read} of ${a}: fewer than ${MIN_ENTRIES} entries: ${first![1]}`);
      }
    }
    ctx.log(
      `  answers equal on ${SAMPLE} accounts x 3 reads across ${servers.length} servers (e.g. ${(await fetchOnce(servers.at(-1)!, "flat", sample[0]!)).slice(0, 160)}...)`,
    );

    const windowMs = opts.peerS * 1000;
    const pids = [...new Set(servers.map((s) => s.child.pid))];
    const rows: Row[] = [];
    for (const read of ["flat", "entries", "row", "lookup"] as Read[]) {
      for (const s of servers.filter((x) => x.reads.includes(read))) {
        const random = prng(42);
        const next = () => request(s, read, accounts[Math.floor(random() * accounts.length)]!);
        const load = { url: s.child.info.url, concurrency: c, check, next };
        await runLoad({ ...load, durationMs: Math.min(1, opts.warmupS) * 1000, label: "warm-up" });
        await analyzeAfterWarmUp(pool);
        const before = s.kind === "hub" ? await statementCount(s.child) : null;
        const profileThis =
          opts.profile && s.kind === "hub" && s.token === operator && (read === "flat" || read === "lookup");
        const { result: measured, summary } = await profiled(
          profileThis,
          s.child,
          `${ctx.runTag}-peer-${read}-node${s.node}`,
          () =>
            ctx.measure(
              s.child.pid,
              pids.filter((p) => p !== s.child.pid),
              () => runLoad({ ...load, durationMs: windowMs, label: `${read}: ${s.name}` }),
            ),
        );
        const { result, cpu } = measured;
        const after = s.kind === "hub" ? await statementCount(s.child) : null;
        const perReq =
          before && after && result.ok > 0
            ? {
                statements: (after.total - before.total) / result.ok,
                transactions: (after.transactions - before.transactions) / result.ok,
              }
            : null;
        const row: Row = {
          read,
          server: s.name,
          node: s.node,
          result,
          cpu,
          serverCpuMsPerReq: (10 * cpu.subject) / Math.max(result.rps, 1e-9),
          pgCpuMsPerReq: (10 * cpu.postgres) / Math.max(result.rps, 1e-9),
          statementsPerReq: perReq?.statements ?? null,
          transactionsPerReq: perReq?.transactions ?? null,
        };
        rows.push(row);
        ctx.log(
          `  ${read.padEnd(7)} ${s.name.padEnd(36)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.latencyMs.p50.toFixed(1)} ms  p99 ${result.latencyMs.p99.toFixed(1)} ms  server CPU ${row.serverCpuMsPerReq.toFixed(3)} ms/req  PostgreSQL CPU ${row.pgCpuMsPerReq.toFixed(3)} ms/req  ${row.statementsPerReq === null ? "" : ` ${row.statementsPerReq.toFixed(2)} statements/req (${(row.transactionsPerReq ?? 0).toFixed(2)} BEGIN)`} (${result.failed} failed; other CPU ${cpu.otherProcesses.toFixed(0)}%, load avg ${cpu.loadAvg1m})` +
            (result.failed ? `\n    failures e.g.: ${result.failureSamples.join(" | ")}` : "") +
            (summary ? `\n${summary}` : ""),
        );
        if (opts.verbose) ctx.log(`    ${describeCpu(cpu)}`);
      }
    }
    ctx.details.peer = rows.map((r) => ({ ...r, result: { ...r.result } }));
    const metrics: Metric[] = [];
    for (const read of ["flat", "entries", "row"] as Read[]) {
      const base = rows.find((r) => r.read === read && r.server === "bare http + pg")!;
      for (const r of rows.filter((x) => x.read === read && x !== base)) {
        const noise = { hub: r.cpu.otherProcesses, baseline: base.cpu.otherProcesses };
        metrics.push(
          metric({
            bench: "peer",
            metric: `${read}: ${r.server} req/s`,
            unit: "/s",
            hub: r.result.rps,
            baseline: base.result.rps,
            baselineLabel: "bare http + pg",
            target: null,
            noise,
          }),
          metric({
            bench: "peer",
            metric: `${read}: ${r.server} p99`,
            unit: "ms",
            hub: r.result.latencyMs.p99,
            baseline: base.result.latencyMs.p99,
            baselineLabel: "bare http + pg",
            target: null,
            lowerIsBetter: true,
            noise,
          }),
        );
      }
    }
    const look = rows.filter((r) => r.read === "lookup");
    const l20 = look.find((r) => r.node === "20");
    const l22 = look.find((r) => r.node === "22");
    if (l20 && l22)
      metrics.push(
        metric({
          bench: "peer",
          metric: "row-3 account lookup req/s, hub on Node 22 (baseline: hub on Node 20)",
          unit: "/s",
          hub: l22.result.rps,
          baseline: l20.result.rps,
          baselineLabel: "hub, Node 20",
          target: null,
          noise: { hub: l22.cpu.otherProcesses, baseline: l20.cpu.otherProcesses },
        }),
      );
    return metrics;
  } finally {
    for (const child of started.reverse()) await child.stop();
  }
}
