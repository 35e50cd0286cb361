// What a record's subject rows cost PostgreSQL to insert, by layout of exchange_subject (decision 049): a scratch
// harness on a scratch database, not part of `npm run bench`. Two variants, each in its own schema with its own
// connection (backend):
//   before  primary key (subject_key, record_id), an index on record_id, a foreign key to exchange_record;
//   after   primary key (record_id, subject_key), a hash index on subject_key, no foreign key (migration 20261204210000).
// Each batch is one autocommitted statement, the log writer's shape: a record and its subject rows (random 64-hex keys,
// as the keyed hashes are). Variants are alternated batch by batch, so the machine's load falls on both alike, and
// the backend's CPU time is read from /proc/<pid>/schedstat around each statement (PostgreSQL on this machine). The
// figure is printed per quarter of the run, so a cost that grows with the table's size shows.
//
//   node -r @swc-node/register bench/subject-layout.ts [--subjects=1000000] [--per-record=1000] [--prefill=0]
//     (DATABASE_URL: the server to create the scratch database on; dropped at the end)
//   --per-record=1000 is a bank-file batch (one record per 1,000 rows); 500 is a taxDeductions page.
import { createHash } from "node:crypto";

import pg from "pg";

import { cpuNs, flags, scratchDatabase } from "./lib/scratch-harness";

const { num } = flags();
const SUBJECTS = num("subjects", 1_000_000);
const PER_RECORD = num("per-record", 1000);
const PREFILL = num("prefill", 0);

const VARIANTS = [
  {
    name: "before",
    ddl: (s: string) => `CREATE TABLE ${s}.exchange_subject (subject_key char(64) NOT NULL,
      record_id bigint NOT NULL REFERENCES ${s}.exchange_record(id), PRIMARY KEY (subject_key, record_id));
      CREATE INDEX ON ${s}.exchange_subject (record_id);`,
  },
  {
    name: "after",
    ddl: (s: string) => `CREATE TABLE ${s}.exchange_subject (subject_key char(64) NOT NULL, record_id bigint NOT NULL,
      PRIMARY KEY (record_id, subject_key));
      CREATE INDEX ON ${s}.exchange_subject USING HASH (subject_key);`,
  },
];

const insert = (s: string) => `WITH r AS (
    INSERT INTO ${s}.exchange_record (at, request_id, subject_count) VALUES (now(), $2, cardinality($1::text[]))
    RETURNING id)
  INSERT INTO ${s}.exchange_subject (subject_key, record_id) SELECT k, r.id FROM r, unnest($1::char(64)[]) AS k`;

let keyNo = 0;
const keys = (n: number): string[] =>
  Array.from({ length: n }, () => createHash("sha256").update(`subject-${keyNo++}`).digest("hex"));

async function main(): Promise<void> {
  const db = await scratchDatabase("subject_layout");
  const clients: { name: string; schema: string; c: pg.Client; pid: number }[] = [];
  try {
    for (const v of VARIANTS) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const schema = `v_${v.name}`;
      await c.query(`CREATE SCHEMA ${schema};
        CREATE TABLE ${schema}.exchange_record (id bigserial PRIMARY KEY, at timestamptz(3) NOT NULL,
          request_id text NOT NULL, subject_count int NOT NULL);
        ${v.ddl(schema)}
        ALTER TABLE ${schema}.exchange_record SET (autovacuum_enabled = off);
        ALTER TABLE ${schema}.exchange_subject SET (autovacuum_enabled = off);`);
      const pid = (await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      clients.push({ name: v.name, schema, c, pid });
    }
    if (PREFILL > 0) {
      for (const { schema, c } of clients)
        await c.query(
          `WITH r AS (INSERT INTO ${schema}.exchange_record (at, request_id, subject_count)
            SELECT now(), 'prefill-' || g, 100 FROM generate_series(1, ceil($1 / 100.0)::int) g RETURNING id)
          INSERT INTO ${schema}.exchange_subject SELECT encode(sha256(('prefill-' || r.id || '-' || g)::bytea), 'hex'), r.id
          FROM r, generate_series(1, 100) g`,
          [PREFILL],
        );
      for (const { schema, c } of clients) await c.query(`VACUUM ANALYZE ${schema}.exchange_subject`);
    }
    const batches = Math.ceil(SUBJECTS / PER_RECORD);
    const quarter = Math.ceil(batches / 4);
    const cpu = new Map(clients.map((x) => [x.name, [0n, 0n, 0n, 0n]]));
    for (let b = 0; b < batches; b++) {
      const batch = keys(PER_RECORD);
      // Alternate which variant goes first, so neither always follows the other's writes.
      const order = b % 2 === 0 ? clients : [...clients].reverse();
      for (const { name, schema, c, pid } of order) {
        const t0 = cpuNs(pid);
        await c.query(insert(schema), [batch, `req-${b}`]);
        cpu.get(name)![Math.floor(b / quarter)]! += cpuNs(pid) - t0;
      }
    }
    console.log(
      `exchange_subject layouts: ${SUBJECTS.toLocaleString("en")} subject rows, ${PER_RECORD} per record (one statement each, autocommit), ${PREFILL.toLocaleString("en")} rows before; PostgreSQL CPU per subject row, by quarter of the run:`,
    );
    for (const { name, schema, c } of clients) {
      const q = cpu.get(name)!.map((ns) => Number(ns) / 1000 / (quarter * PER_RECORD));
      const total = cpu.get(name)!.reduce((a, x) => a + x, 0n);
      const size = (
        await c.query<{ name: string; size: string }>(
          `SELECT c.relname AS name, pg_size_pretty(pg_relation_size(c.oid)) AS size FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname LIKE 'exchange_subject%'
           ORDER BY 1`,
          [schema],
        )
      ).rows;
      console.log(
        `  ${name.padEnd(7)} ${q.map((x) => `${x.toFixed(1)} µs`).join(" | ")}; total ${(Number(total) / 1e9).toFixed(2)} s; ${size.map((r) => `${r.name} ${r.size}`).join(", ")}`,
      );
    }
  } finally {
    for (const { c } of clients) await c.end();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
