// What linking the exchange log costs PostgreSQL per record (decision 035): a scratch harness on a scratch database.
// Each variant has its own schema and its own connection (backend); the harness inserts batches of read records as
// the log writer does, runs a chaining round every few batches as the chainer does, and reads the backend's CPU time
// from /proc/<pid>/schedstat (PostgreSQL on the same machine) around each statement. Variants are alternated batch
// by batch so that the machine's load falls on all of them alike; VACUUM (autovacuum off on the scratch tables) is
// run every few rounds on each variant's own backend, so what the dead row versions cost is counted too.
//
//
// Session 25 adds two variants on the subject layout in use (decision 049: primary key (record, key), a hash index on
// the key, no foreign key): "current", the chainer's UPDATE as it is today, and "insert-chained", the records linked
// as they are inserted (the writer's batch in one transaction: the chain's advisory lock, the tip and the batch's ids,
// the hashes in JS, then the insert with seq and hashes; no round, no UPDATE, no dead row versions). Its insert
// figure includes BEGIN, the lock, the tip and COMMIT. `--variants=current,insert-chained` runs only those.
//
//   node -r @swc-node/register bench/link-cost.ts [--rounds=200] [--batch=24] [--batches-per-round=5] [--prefill=200000]
//     [--vacuum-every=20] [--wal] [--variants=a,b]   (DATABASE_URL: the server to create the scratch database on;
//     dropped at the end)
import { createHash, randomBytes } from "node:crypto";

import pg from "pg";

import { cpuNs, flags, scratchDatabase } from "./lib/scratch-harness";

const args = flags();
const num = args.num;
const ROUNDS = num("rounds", 200);
const BATCH = num("batch", 24);
const PER_ROUND = num("batches-per-round", 5);
const PREFILL = num("prefill", 200000);
const VACUUM_EVERY = num("vacuum-every", 20);
const ONLY = args.str("variants", "");
/**
 * --wal: WAL bytes of each writer statement and each round's link statement, from pg_current_wal_insert_lsn() before
 * and after on the same connection. The LSN is the whole server's (other databases' writes land in it too), so the
 * minimum and the median over many statements are printed, not a sum. (EXPLAIN's WAL figure leaves out what a
 * data-modifying CTE writes, and both the writer and the link statements are CTEs.)
 */
const WAL = args.has("wal");
const walBytes = new Map<string, { insert: number[]; link: number[] }>();
/** WAL bytes written while `work` ran on `c` (see --wal). */
async function walAround(c: pg.Client, work: () => Promise<unknown>): Promise<number> {
  const lsn = async () =>
    (await c.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn")).rows[0]!.lsn.split("/").reduce(
      (acc, part) => acc * 2 ** 32 + parseInt(part, 16),
      0,
    );
  const before = await lsn();
  await work();
  return (await lsn()) - before;
}
const walOf = (c: pg.Client, sql: string, params: unknown[]) => walAround(c, () => c.query(sql, params));
async function link(c: pg.Client, name: string, sql: string, params: unknown[]): Promise<void> {
  const rows = (params[0] as unknown[]).length;
  if (WAL) walBytes.get(name)!.link.push((await walOf(c, sql, params)) / rows);
  else await c.query(sql, params);
}

const RECORD_COLS = `id bigserial PRIMARY KEY, at timestamptz(3) NOT NULL, consumer_role text NOT NULL,
  consumer_org text NOT NULL, consumer_sub text NOT NULL, operation text NOT NULL, purpose text, request_id text NOT NULL,
  subject_count int NOT NULL, result_size int NOT NULL, outcome text NOT NULL`;
/** The subject layout in use (decision 049): keyed by record first, found per person through a hash index, no FK. */
const SUBJECT_049 = (s: string) => `CREATE TABLE ${s}.exchange_subject (subject_key char(64) NOT NULL,
  record_id bigint NOT NULL, PRIMARY KEY (record_id, subject_key));
  CREATE INDEX ON ${s}.exchange_subject USING hash (subject_key);`;
const SUBJECT = (s: string, fk = true) => `CREATE TABLE ${s}.exchange_subject (subject_key char(64) NOT NULL,
  record_id bigint NOT NULL ${fk ? `REFERENCES ${s}.exchange_record(id)` : ""}, PRIMARY KEY (subject_key, record_id));
  CREATE INDEX ON ${s}.exchange_subject (record_id);`;
const RECORD_IDX = (s: string) =>
  `CREATE INDEX ON ${s}.exchange_record (at); CREATE INDEX ON ${s}.exchange_record (request_id);`;
const PREFILL_ROWS = (s: string, cols: string) => `INSERT INTO ${s}.exchange_record (at, consumer_role, consumer_org,
  consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome${cols})
  SELECT now() - interval '1 day' + g * interval '1 ms', 'CENTER_OPERATOR', 'center', 'op-1', 'account', NULL,
    md5(g::text), 1, 1, 'OK'${cols ? ", g, md5(g::text) || md5(g::text), md5((g+1)::text) || md5((g+1)::text)" : ""}
  FROM generate_series(1, ${PREFILL}) g;
  INSERT INTO ${s}.exchange_subject SELECT md5(id::text) || md5((id*7)::text), id FROM ${s}.exchange_record;`;

interface Variant {
  name: string;
  setup: string;
  /** The writer's statement for a batch (with $1.. parameters as below), or its work in several statements. */
  insert: string | ((c: pg.Client, params: unknown[]) => Promise<void>);
  tables: string[];
  round: (c: pg.Client) => Promise<number>;
}

const unnestEntries = `SELECT nextval(:seq) AS id, u.* FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[],
  $5::text[], $6::text[], $7::text[], $8::int[], $9::int[], $10::text[]) WITH ORDINALITY
  AS u(at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome, n)`;
const insertRecord = (
  s: string,
) => `INSERT INTO ${s}.exchange_record (id, at, consumer_role, consumer_org, consumer_sub,
  operation, purpose, request_id, subject_count, result_size, outcome) SELECT id, at, consumer_role, consumer_org,
  consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome FROM e RETURNING id`;
const insertSubjects = (s: string) => `INSERT INTO ${s}.exchange_subject (subject_key, record_id)
  SELECT k.key, e.id FROM unnest($11::char(64)[], $12::int[]) AS k(key, n) JOIN e ON e.n = k.n WHERE EXISTS (SELECT 1 FROM r)`;
const writerStatement = (s: string, extra = "") =>
  `WITH e AS MATERIALIZED (${unnestEntries.replace(":seq", `'${s}.exchange_record_id_seq'`)}), r AS (${insertRecord(s)})${extra}
  ${insertSubjects(s)}`;

function hashAll<T extends { id: string }>(rows: T[], prev: string, seq: bigint) {
  return rows.map((r) => {
    seq += 1n;
    const hash = createHash("sha256")
      .update(JSON.stringify([r, prev]))
      .digest("hex");
    const link = { id: r.id, seq: seq.toString(), prev, hash };
    prev = hash;
    return link;
  });
}

const selectPending = (s: string, where: string, from = `${s}.exchange_record r`) => `
  SELECT r.id, r.at, r.request_id, r.consumer_role, r.consumer_org, r.consumer_sub, r.operation, r.purpose,
    r.subject_count, r.result_size, r.outcome,
    (SELECT array_agg(s.subject_key::text) FROM ${s}.exchange_subject s WHERE s.record_id = r.id) AS subject_keys
  FROM ${from} WHERE ${where} ORDER BY r.id LIMIT 2000`;

/** Decision 008's shape: the row is inserted unchained and UPDATEd by the chainer (seq has a unique index). */
function updateVariant(
  name: string,
  schema: string,
  lockKey: number,
  subjectForeignKey: boolean,
  subjects = SUBJECT(schema, subjectForeignKey),
): Variant {
  return {
    name,
    setup: `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.exchange_record (${RECORD_COLS}, seq bigint UNIQUE,
      prev_hash char(64), hash char(64)); ${RECORD_IDX(schema)} ${subjects}
      ${PREFILL_ROWS(schema, ", seq, prev_hash, hash")}`,
    insert: writerStatement(schema),
    tables: [`${schema}.exchange_record`, `${schema}.exchange_subject`],
    round: async (c) => {
      await c.query("BEGIN");
      await c.query(`SELECT pg_advisory_xact_lock(${lockKey})`);
      const rows = (await c.query<{ id: string }>(selectPending(schema, "r.seq IS NULL"))).rows;
      const tip = (
        await c.query<{ seq: string; hash: string }>(
          `SELECT seq, hash FROM ${schema}.exchange_record WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`,
        )
      ).rows[0]!;
      const links = hashAll(rows, tip.hash, BigInt(tip.seq));
      await link(
        c,
        name,
        `UPDATE ${schema}.exchange_record SET seq = l.seq, prev_hash = l.prev, hash = l.hash
         FROM unnest($1::bigint[], $2::bigint[], $3::char(64)[], $4::char(64)[]) AS l(id, seq, prev, hash)
         WHERE exchange_record.id = l.id`,
        [links.map((l) => l.id), links.map((l) => l.seq), links.map((l) => l.prev), links.map((l) => l.hash)],
      );
      await c.query("COMMIT");
      return links.length;
    },
  };
}

/**
 * The records linked as they are inserted: one transaction per batch holding the chain's lock (what every hub process
 * would take in turn), the tip and the batch's ids read in one statement, the hashes computed here over each record's
 * fields, its subject key and the previous hash (as hashAll does for the other variants), then one insert of records
 * (seq, prev_hash, hash set) and subjects. Nothing is left for a round to do.
 */
function insertChainedVariant(name: string, schema: string, lockKey: number): Variant {
  let linkedSinceRound = 0;
  return {
    name,
    setup: `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.exchange_record (${RECORD_COLS}, seq bigint UNIQUE,
      prev_hash char(64), hash char(64)); ${RECORD_IDX(schema)} ${SUBJECT_049(schema)}
      ${PREFILL_ROWS(schema, ", seq, prev_hash, hash")}`,
    insert: async (c, params) => {
      const n = (params[6] as string[]).length;
      await c.query("BEGIN");
      await c.query(`SELECT pg_advisory_xact_lock(${lockKey})`);
      const head = (
        await c.query<{ seq: string; hash: string; ids: string[] }>(
          `SELECT t.seq, t.hash, ARRAY(SELECT nextval('${schema}.exchange_record_id_seq') FROM generate_series(1, $1::int))::text[] AS ids
           FROM (SELECT seq, hash FROM ${schema}.exchange_record WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1) t`,
          [n],
        )
      ).rows[0]!;
      const rows = head.ids.map((id, i) => ({
        id,
        at: (params[0] as string[])[i],
        role: (params[1] as string[])[i],
        org: (params[2] as string[])[i],
        sub: (params[3] as string[])[i],
        operation: (params[4] as string[])[i],
        purpose: (params[5] as (string | null)[])[i],
        requestId: (params[6] as string[])[i],
        subjectCount: (params[7] as number[])[i],
        resultSize: (params[8] as number[])[i],
        outcome: (params[9] as string[])[i],
        subjectKeys: [(params[10] as string[])[i]],
      }));
      const links = hashAll(rows, head.hash, BigInt(head.seq));
      await c.query(
        `WITH e AS MATERIALIZED (SELECT * FROM unnest($13::bigint[], $1::timestamptz[], $2::text[], $3::text[],
           $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int[], $10::text[], $14::bigint[],
           $15::char(64)[], $16::char(64)[]) WITH ORDINALITY
           AS u(id, at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count,
                result_size, outcome, seq, prev_hash, hash, n)),
         r AS (INSERT INTO ${schema}.exchange_record (id, at, consumer_role, consumer_org, consumer_sub, operation,
           purpose, request_id, subject_count, result_size, outcome, seq, prev_hash, hash)
           SELECT id, at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count,
             result_size, outcome, seq, prev_hash, hash FROM e RETURNING id)
         ${insertSubjects(schema)}`,
        [...params, head.ids, links.map((l) => l.seq), links.map((l) => l.prev), links.map((l) => l.hash)],
      );
      await c.query("COMMIT");
      linkedSinceRound += n;
    },
    tables: [`${schema}.exchange_record`, `${schema}.exchange_subject`],
    round: async () => {
      const linked = linkedSinceRound;
      linkedSinceRound = 0;
      return linked;
    },
  };
}

const allVariants: Variant[] = [
  // Decision 008 as it is (in session 25: the subject layout in use, decision 049).
  updateVariant("current", "v_current", 5, false, SUBJECT_049("v_current")),
  // The records linked at insert, on the same layout.
  insertChainedVariant("insert-chained", "v_chained", 6),
  // Decision 008 as it was in decision 035 (the subject layout before decision 049).
  updateVariant("update", "v_update", 1, true),
  // As "update", without exchange_subject's foreign key to exchange_record (its RI trigger runs per subject row).
  updateVariant("update-nofk", "v_nofk", 4, false),
  {
    // An insert-only link table; the writer also queues each new id in exchange_unlinked, which the round empties.
    name: "link+queue",
    setup: `CREATE SCHEMA v_link; CREATE TABLE v_link.exchange_record (${RECORD_COLS}); ${RECORD_IDX("v_link")}
      ${SUBJECT("v_link")} ${PREFILL_ROWS("v_link", "")}
      CREATE TABLE v_link.exchange_link (seq bigint PRIMARY KEY, record_id bigint NOT NULL UNIQUE REFERENCES v_link.exchange_record(id),
        prev_hash char(64) NOT NULL, hash char(64) NOT NULL);
      INSERT INTO v_link.exchange_link SELECT id, id, md5(id::text) || md5(id::text), md5((id+1)::text) || md5((id+1)::text) FROM v_link.exchange_record;
      CREATE TABLE v_link.exchange_unlinked (record_id bigint PRIMARY KEY);`,
    insert: writerStatement("v_link", `, q AS (INSERT INTO v_link.exchange_unlinked SELECT id FROM r)`),
    tables: ["v_link.exchange_record", "v_link.exchange_subject", "v_link.exchange_link", "v_link.exchange_unlinked"],
    round: async (c) => {
      await c.query("BEGIN");
      await c.query("SELECT pg_advisory_xact_lock(2)");
      const rows = (
        await c.query<{ id: string }>(
          selectPending(
            "v_link",
            `r.id = ANY(ARRAY(SELECT record_id FROM v_link.exchange_unlinked ORDER BY record_id LIMIT 2000))`,
          ),
        )
      ).rows;
      const tip = (
        await c.query<{ seq: string; hash: string }>(
          "SELECT seq, hash FROM v_link.exchange_link ORDER BY seq DESC LIMIT 1",
        )
      ).rows[0]!;
      const links = hashAll(rows, tip.hash, BigInt(tip.seq));
      await link(
        c,
        "link+queue",
        `WITH l AS (INSERT INTO v_link.exchange_link (seq, record_id, prev_hash, hash)
           SELECT * FROM unnest($2::bigint[], $1::bigint[], $3::char(64)[], $4::char(64)[]))
         DELETE FROM v_link.exchange_unlinked WHERE record_id = ANY($1::bigint[])`,
        [links.map((l) => l.id), links.map((l) => l.seq), links.map((l) => l.prev), links.map((l) => l.hash)],
      );
      await c.query("COMMIT");
      return links.length;
    },
  },
  {
    // The price of a HOT update alone: no index on seq (fillfactor 80), a queue to find the unlinked, a head row.
    // Not a design (nothing keeps seq unique or walks it in order): the floor the UPDATE could reach.
    name: "hot+queue",
    setup: `CREATE SCHEMA v_hot; CREATE TABLE v_hot.exchange_record (${RECORD_COLS}, seq bigint, prev_hash char(64),
      hash char(64)) WITH (fillfactor = 80); ${RECORD_IDX("v_hot")} ${SUBJECT("v_hot")}
      ${PREFILL_ROWS("v_hot", ", seq, prev_hash, hash")}
      CREATE TABLE v_hot.exchange_unlinked (record_id bigint PRIMARY KEY);
      CREATE TABLE v_hot.head (one int PRIMARY KEY, seq bigint, hash char(64));
      INSERT INTO v_hot.head SELECT 1, seq, hash FROM v_hot.exchange_record ORDER BY id DESC LIMIT 1;`,
    insert: writerStatement("v_hot", `, q AS (INSERT INTO v_hot.exchange_unlinked SELECT id FROM r)`),
    tables: ["v_hot.exchange_record", "v_hot.exchange_subject", "v_hot.exchange_unlinked", "v_hot.head"],
    round: async (c) => {
      await c.query("BEGIN");
      await c.query("SELECT pg_advisory_xact_lock(3)");
      const rows = (
        await c.query<{ id: string }>(
          selectPending(
            "v_hot",
            `r.id = ANY(ARRAY(SELECT record_id FROM v_hot.exchange_unlinked ORDER BY record_id LIMIT 2000))`,
          ),
        )
      ).rows;
      const tip = (await c.query<{ seq: string; hash: string }>("SELECT seq, hash FROM v_hot.head")).rows[0]!;
      const links = hashAll(rows, tip.hash, BigInt(tip.seq));
      const last = links.at(-1)!;
      await link(
        c,
        "hot+queue",
        `WITH u AS (UPDATE v_hot.exchange_record SET seq = l.seq, prev_hash = l.prev, hash = l.hash
           FROM unnest($1::bigint[], $2::bigint[], $3::char(64)[], $4::char(64)[]) AS l(id, seq, prev, hash)
           WHERE exchange_record.id = l.id), h AS (UPDATE v_hot.head SET seq = $5, hash = $6)
         DELETE FROM v_hot.exchange_unlinked WHERE record_id = ANY($1::bigint[])`,
        [
          links.map((l) => l.id),
          links.map((l) => l.seq),
          links.map((l) => l.prev),
          links.map((l) => l.hash),
          last.seq,
          last.hash,
        ],
      );
      await c.query("COMMIT");
      return links.length;
    },
  },
];
const variants = ONLY ? allVariants.filter((v) => ONLY.split(",").includes(v.name)) : allVariants;

let reqNo = 0;
function batchParams(): unknown[] {
  const n = BATCH;
  const ids = Array.from({ length: n }, () => `req-${++reqNo}-${randomBytes(4).toString("hex")}`);
  return [
    ids.map(() => new Date().toISOString()),
    ids.map(() => "CENTER_OPERATOR"),
    ids.map(() => "center-1"),
    ids.map(() => "operator-1"),
    ids.map(() => "account"),
    ids.map(() => null),
    ids,
    ids.map(() => 1),
    ids.map(() => 1),
    ids.map(() => "OK"),
    ids.map(() => randomBytes(32).toString("hex")),
    ids.map((_, i) => i + 1),
  ];
}

async function main(): Promise<void> {
  const db = await scratchDatabase("link_cost");
  try {
    const clients = new Map<string, { c: pg.Client; pid: number }>();
    for (const v of variants) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query(v.setup);
      for (const t of v.tables) await c.query(`ALTER TABLE ${t} SET (autovacuum_enabled = false)`);
      await c.query(`VACUUM ANALYZE ${v.tables.join(", ")}`);
      const pid = (await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      clients.set(v.name, { c, pid });
    }
    const totals = new Map(variants.map((v) => [v.name, { insert: 0n, round: 0n, vacuum: 0n, records: 0, linked: 0 }]));
    const minRound = new Map(variants.map((v) => [v.name, Number.POSITIVE_INFINITY]));
    const minInsert = new Map(variants.map((v) => [v.name, Number.POSITIVE_INFINITY]));
    for (const v of variants) walBytes.set(v.name, { insert: [], link: [] });
    const stepTotals = new Map(variants.map((v) => [v.name, [] as bigint[]]));
    const warm = Math.min(10, Math.floor(ROUNDS / 10));
    for (let round = 0; round < ROUNDS + warm; round++) {
      const counting = round >= warm;
      for (let b = 0; b < PER_ROUND; b++) {
        const params = batchParams();
        for (const v of variants) {
          const { c, pid } = clients.get(v.name)!;
          const t = totals.get(v.name)!;
          const before = cpuNs(pid);
          const insert = v.insert;
          const write = () => (typeof insert === "string" ? c.query(insert, params) : insert(c, params));
          if (WAL) walBytes.get(v.name)!.insert.push((await walAround(c, write)) / BATCH);
          else await write();
          const spent = cpuNs(pid) - before;
          if (counting) {
            t.insert += spent;
            t.records += BATCH;
            minInsert.set(v.name, Math.min(minInsert.get(v.name)!, Number(spent)));
          }
        }
      }
      for (const v of variants) {
        const { c, pid } = clients.get(v.name)!;
        const t = totals.get(v.name)!;
        const before = cpuNs(pid);
        const query = c.query.bind(c);
        let step = 0;
        const steps = stepTotals.get(v.name)!;
        (c as unknown as { query: unknown }).query = async (...a: Parameters<typeof query>) => {
          const s0 = cpuNs(pid);
          const out = await (query as (...x: unknown[]) => Promise<unknown>)(...a);
          if (counting) steps[step] = (steps[step] ?? 0n) + cpuNs(pid) - s0;
          step++;
          return out;
        };
        const linked = await v.round(c).finally(() => {
          (c as unknown as { query: unknown }).query = query;
        });
        const spent = cpuNs(pid) - before;
        if (counting) {
          t.round += spent;
          t.linked += linked;
          minRound.set(v.name, Math.min(minRound.get(v.name)!, Number(spent)));
        }
        if (linked !== BATCH * PER_ROUND) throw new Error(`${v.name} linked ${linked}`);
      }
      if ((round + 1) % VACUUM_EVERY === 0)
        for (const v of variants) {
          const { c, pid } = clients.get(v.name)!;
          const before = cpuNs(pid);
          await c.query(`VACUUM ${v.tables.join(", ")}`);
          if (counting) totals.get(v.name)!.vacuum += cpuNs(pid) - before;
        }
    }
    const us = (ns: bigint, n: number) => (Number(ns) / 1000 / n).toFixed(1);
    console.log(
      `rounds ${ROUNDS} x ${PER_ROUND} batches of ${BATCH} records (1 subject each), prefill ${PREFILL}, VACUUM every ${VACUUM_EVERY} rounds`,
    );
    console.log(
      "variant        | insert µs/rec | round µs/rec | vacuum µs/rec | total µs/rec | min insert µs/batch | min round µs",
    );
    for (const v of variants) {
      const t = totals.get(v.name)!;
      console.log(
        `${v.name.padEnd(14)} | ${us(t.insert, t.records).padStart(13)} | ${us(t.round, t.linked).padStart(12)} | ${us(t.vacuum, t.records).padStart(13)} | ${us(t.insert + t.round + t.vacuum, t.records).padStart(12)} | ${(minInsert.get(v.name)! / 1000).toFixed(0).padStart(19)} | ${(minRound.get(v.name)! / 1000).toFixed(0)}`,
      );
    }
    const stat = (xs: number[]) => {
      const sorted = [...xs].sort((x, y) => x - y);
      return `min ${sorted[0]?.toFixed(0)} median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)}`;
    };
    if (WAL)
      for (const v of variants) {
        const w = walBytes.get(v.name)!;
        console.log(`${v.name} WAL bytes/record: writer statement ${stat(w.insert)}; link statement ${stat(w.link)}`);
      }
    for (const v of variants) {
      const t = totals.get(v.name)!;
      console.log(
        `${v.name} round by statement (BEGIN, lock, pending, tip, link, COMMIT) µs/rec:`,
        stepTotals
          .get(v.name)!
          .map((ns) => us(ns, t.linked))
          .join(" "),
      );
    }
    for (const v of variants) {
      const { c } = clients.get(v.name)!;
      const stats = await c.query<{ relname: string; n_tup_upd: string; n_tup_hot_upd: string; size: string }>(
        `SELECT relname, n_tup_upd, n_tup_hot_upd, pg_size_pretty(pg_total_relation_size(relid)) AS size
         FROM pg_stat_user_tables WHERE schemaname = $1 ORDER BY relname`,
        [v.tables[0]!.split(".")[0]],
      );
      console.log(
        v.name,
        stats.rows.map((r) => `${r.relname} upd ${r.n_tup_upd} hot ${r.n_tup_hot_upd} ${r.size}`).join("; "),
      );
      await c.end();
    }
  } finally {
    await db.drop();
  }
}

void main();
