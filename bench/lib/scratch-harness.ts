// What the scratch harnesses outside `npm run bench` share (bench/link-cost.ts, bench/subject-layout.ts): their
// `--name=value` flags, a PostgreSQL backend's CPU time read from /proc (the server on this machine), and a scratch
// database of their own (`scratchDatabase`).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

import pg from "pg";

export interface Flags {
  num(name: string, fallback: number): number;
  str(name: string, fallback: string): string;
  has(name: string): boolean;
}

/** `--name=value` and bare `--name` (value "1") of this process's command line. */
export function flags(argv: readonly string[] = process.argv.slice(2)): Flags {
  const given = new Map(
    argv.map((a) => {
      const [k, v] = a.replace(/^--/, "").split("=");
      return [k!, v ?? "1"] as const;
    }),
  );
  return {
    num: (name, fallback) => Number(given.get(name) ?? fallback),
    str: (name, fallback) => given.get(name) ?? fallback,
    has: (name) => given.has(name),
  };
}

/** The CPU time a process (a PostgreSQL backend: `SELECT pg_backend_pid()`) has used so far, in nanoseconds. */
export function cpuNs(pid: number): bigint {
  return BigInt(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]!);
}

/** A scratch database created on the server of DATABASE_URL (default: the local one); `drop` removes it. */
export async function scratchDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const name = `${prefix}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
