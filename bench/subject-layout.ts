// What a record's subject rows cost PostgreSQL to insert, by layout (decisions 049 and 055): a scratch harness on a
// scratch database, not part of `npm run bench`. Each variant has its own schema and its own connection (backend):
//   before      primary key (subject_key, record_id), an index on record_id, a foreign key to exchange_record;
//   after       primary key (record_id, subject_key), a hash index on subject_key, no foreign key (migration
//               20261204210000: the layout in use);
//   gin         no subject rows: the record holds its keys as one comma list, found per person by a GIN index on
//               string_to_array(keys) with fastupdate on (each quarter ends with gin_clean_pending_list, counted);
//   gin-direct  the same, fastupdate off (each key goes into the index tree as the record is inserted);
//   key8        the record holds its keys as one comma list; a row per subject holds only the key's first 8 bytes
//               (bigint) and the record id, found by a hash index on the bigint (no primary key);
//   by-record   as after, but no primary key: a plain B-tree on record_id (its duplicates deduplicated into posting
//               lists), the hash index on subject_key (session 22);
//   bytea       as after, the key stored as its 32 bytes (bytea) instead of 64 hex characters;
//   by-record-bytea  both of the last two.
// Each batch is one autocommitted statement, the log writer's shape: a record and its subjects (random 64-hex keys,
// as the keyed hashes are). Variants are alternated batch by batch, so the machine's load falls on all alike, and
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

const RECORD = (s: string, keys: boolean) => `CREATE TABLE ${s}.exchange_record (id bigserial PRIMARY KEY,
  at timestamptz(3) NOT NULL, request_id text NOT NULL, subject_count int NOT NULL${keys ? ", subject_keys text" : ""});`;

/** The statement of one record and its subjects: $1 the keys (text[]), $2 the request id. */
const subjectRows = (s: string) => `WITH r AS (
    INSERT INTO ${s}.exchange_record (at, request_id, subject_count) VALUES (now(), $2, cardinality($1::text[]))
    RETURNING id)
  INSERT INTO ${s}.exchange_subject (subject_key, record_id) SELECT k, r.id FROM r, unnest($1::char(64)[]) AS k`;

/** subjectRows with each key stored as its 32 bytes. */
const byteaRows = (s: string) => `WITH r AS (
    INSERT INTO ${s}.exchange_record (at, request_id, subject_count) VALUES (now(), $2, cardinality($1::text[]))
    RETURNING id)
  INSERT INTO ${s}.exchange_subject (subject_key, record_id) SELECT decode(k, 'hex'), r.id FROM r, unnest($1::text[]) AS k`;

/** The keys as the record's own comma list ($1 text[], joined in the statement so every variant gets one input). */
const keysOnRecord = (s: string) => `INSERT INTO ${s}.exchange_record (at, request_id, subject_count, subject_keys)
  VALUES (now(), $2, cardinality($1::text[]), array_to_string($1::text[], ','))`;

interface Variant {
  name: string;
  ddl: (s: string) => string;
  insert: (s: string) => string;
  /** Run at the end of each quarter, its CPU counted in that quarter (a deferred index's catching up). */
  settle?: (s: string) => string;
}

const VARIANTS: Variant[] = [
  {
    name: "before",
    ddl: (s) => `${RECORD(s, false)} CREATE TABLE ${s}.exchange_subject (subject_key char(64) NOT NULL,
      record_id bigint NOT NULL REFERENCES ${s}.exchange_record(id), PRIMARY KEY (subject_key, record_id));
      CREATE INDEX ON ${s}.exchange_subject (record_id);`,
    insert: subjectRows,
  },
  {
    name: "after",
    ddl: (s) => `${RECORD(s, false)} CREATE TABLE ${s}.exchange_subject (subject_key char(64) NOT NULL,
      record_id bigint NOT NULL, PRIMARY KEY (record_id, subject_key));
      CREATE INDEX ON ${s}.exchange_subject USING HASH (subject_key);`,
    insert: subjectRows,
  },
  {
    name: "by-record",
    ddl: (s) => `${RECORD(s, false)} CREATE TABLE ${s}.exchange_subject (subject_key char(64) NOT NULL,
      record_id bigint NOT NULL);
      CREATE INDEX ON ${s}.exchange_subject (record_id);
      CREATE INDEX ON ${s}.exchange_subject USING HASH (subject_key);`,
    insert: subjectRows,
  },
  {
    name: "bytea",
    ddl: (s) => `${RECORD(s, false)} CREATE TABLE ${s}.exchange_subject (subject_key bytea NOT NULL,
      record_id bigint NOT NULL, PRIMARY KEY (record_id, subject_key));
      CREATE INDEX ON ${s}.exchange_subject USING HASH (subject_key);`,
    insert: byteaRows,
  },
  {
    name: "by-record-bytea",
    ddl: (s) => `${RECORD(s, false)} CREATE TABLE ${s}.exchange_subject (subject_key bytea NOT NULL,
      record_id bigint NOT NULL);
      CREATE INDEX ON ${s}.exchange_subject (record_id);
      CREATE INDEX ON ${s}.exchange_subject USING HASH (subject_key);`,
    insert: byteaRows,
  },
  {
    name: "gin",
    ddl: (s) => `${RECORD(s, true)} CREATE INDEX keys_gin ON ${s}.exchange_record
      USING gin (string_to_array(subject_keys, ',')) WITH (fastupdate = on);`,
    insert: keysOnRecord,
    settle: (s) => `SELECT gin_clean_pending_list('${s}.keys_gin'::regclass)`,
  },
  {
    name: "gin-direct",
    ddl: (s) => `${RECORD(s, true)} CREATE INDEX keys_gin ON ${s}.exchange_record
      USING gin (string_to_array(subject_keys, ',')) WITH (fastupdate = off);`,
    insert: keysOnRecord,
  },
  {
    name: "key8",
    ddl: (
      s,
    ) => `${RECORD(s, true)} CREATE TABLE ${s}.exchange_subject (key8 bigint NOT NULL, record_id bigint NOT NULL);
      CREATE INDEX ON ${s}.exchange_subject USING HASH (key8);`,
    insert: (s) => `WITH r AS (${keysOnRecord(s)} RETURNING id)
      INSERT INTO ${s}.exchange_subject (key8, record_id)
      SELECT ('x' || left(k, 16))::bit(64)::bigint, r.id FROM r, unnest($1::text[]) AS k`,
  },
];

let keyNo = 0;
const keys = (n: number): string[] =>
  Array.from({ length: n }, () => createHash("sha256").update(`subject-${keyNo++}`).digest("hex"));

async function main(): Promise<void> {
  const db = await scratchDatabase("subject_layout");
  const clients: { v: Variant; name: string; schema: string; c: pg.Client; pid: number }[] = [];
  try {
    for (const v of VARIANTS) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const schema = `v_${v.name.replaceAll("-", "_")}`;
      await c.query(`CREATE SCHEMA ${schema}; ${v.ddl(schema)}`);
      await c.query(`DO $$ DECLARE t regclass; BEGIN
        FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = '${schema}' AND c.relkind = 'r' LOOP
          EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = off)', t);
        END LOOP; END $$`);
      const pid = (await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      clients.push({ v, name: v.name, schema, c, pid });
    }
    if (PREFILL > 0) {
      // Through each variant's own statement, 100 subjects a record, so every layout starts from the same history.
      let prefillNo = 0;
      for (let done = 0; done < PREFILL; done += 100) {
        const batch = keys(100);
        for (const { v, schema, c } of clients) await c.query(v.insert(schema), [batch, `prefill-${prefillNo}`]);
        prefillNo++;
      }
      for (const { v, schema, c } of clients) if (v.settle) await c.query(v.settle(schema));
      await clients[0]!.c.query(`VACUUM ANALYZE`);
    }
    const batches = Math.ceil(SUBJECTS / PER_RECORD);
    const quarter = Math.ceil(batches / 4);
    const cpu = new Map(clients.map((x) => [x.name, [0n, 0n, 0n, 0n]]));
    for (let b = 0; b < batches; b++) {
      const batch = keys(PER_RECORD);
      // Alternate which variant goes first, so neither always follows the other's writes.
      const order = b % 2 === 0 ? clients : [...clients].reverse();
      const lastOfQuarter = (b + 1) % quarter === 0 || b === batches - 1;
      for (const { v, name, schema, c, pid } of order) {
        const t0 = cpuNs(pid);
        await c.query(v.insert(schema), [batch, `req-${b}`]);
        if (lastOfQuarter && v.settle) await c.query(v.settle(schema));
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
          `SELECT c.relname AS name, pg_size_pretty(CASE c.relkind WHEN 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END) AS size FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'i')
           ORDER BY 1`,
          [schema],
        )
      ).rows;
      console.log(
        `  ${name.padEnd(10)} ${q.map((x) => `${x.toFixed(1)} µs`).join(" | ")}; total ${(Number(total) / 1e9).toFixed(2)} s; ${size.map((r) => `${r.name} ${r.size}`).join(", ")}`,
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
