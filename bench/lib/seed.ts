// Accounts for the benchmarks. Hub-side deposit workers are enrolled over GraphQL (the real path, in
// parallel); the large populations (the SQL baseline's workers, the bank-import accounts) are seeded set-based
// in SQL with exactly the rows createAccount() in src/services/accounts/enroll-worker.ts writes (person,
// worker ledger account, account, agreement, deposit plan, delivered outbox message, enrolment idempotency record).
import { createHash } from "node:crypto";

import type { Pool } from "pg";

import { CURRENT_COMMITMENT } from "../../src/domain/accounts/commitment";
import { makeIdNumber } from "../../src/domain/accounts/id-number";
import { describeLoad, type LoadResult, runLoad } from "./load";

export const CENTER_CODE = "140500";
export const COUNTY = "140502";

/** `count` distinct valid ID numbers, area code distinguishing the populations (birth dates 1985 on, 1,000 per day). */
export function idNumbers(area: string, count: number): string[] {
  const base = Date.UTC(1985, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const birth = new Date(base + Math.floor(i / 1000) * 86_400_000).toISOString().slice(0, 10);
    return makeIdNumber(area, birth, i % 1000);
  });
}

/** Area codes seeded so far in this process. Every population needs its own area: two populations of one area get
 *  the same ID numbers and the second seeding fails on person_id_number_key once the benchmarks run one after another
 *  in one `npm run bench` (the import and the agency bench both used 140525). Areas in use: deposits 140502 (GraphQL),
 *  140503, 140521; lookups 140524; agency 140525-140528; import 140529; withdrawals 140532-140533; interest 140531; loans 140535; peer 140536; pilotload 140537; quota 140538. */
const claimedAreas = new Map<string, string>();

/** Claims `area` for one population of this run; a second claim fails at once, naming both (before any SQL runs). */
export function claimArea(area: string, population: string): void {
  const first = claimedAreas.get(area);
  if (first !== undefined)
    throw new Error(
      `area ${area} is already used by ${first} in this run; ${population} needs its own area code (ID numbers would collide on person_id_number_key)`,
    );
  claimedAreas.set(area, population);
}

const SEED_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::date[]) WITH ORDINALITY AS t(id_number, sex, birth_date, ord)
), nums AS MATERIALIZED (
  SELECT ord, id_number, sex, birth_date, '${CENTER_CODE}' || lpad(nextval('account_number_seq')::text, 10, '0') AS account_number
  FROM input ORDER BY ord
), p AS (
  INSERT INTO person (id_number, name, sex, birth_date) SELECT id_number, $4, sex, birth_date FROM nums RETURNING id, id_number
), la AS (
  INSERT INTO ledger_account (code, type, normal_side, name)
  SELECT 'W:' || account_number, 'WORKER', 'C', '个人账户 ' || account_number FROM nums ORDER BY ord RETURNING id, code
), a AS (
  INSERT INTO account (account_number, person_id, ledger_account_id, kind, status, county_code, employment_form, opened_on)
  SELECT n.account_number, p.id, la.id, 'FLEXIBLE', 'ACTIVE', $5, 'NEW_FORM', $6::date
  FROM nums n JOIN p ON p.id_number = n.id_number JOIN la ON la.code = 'W:' || n.account_number
  ORDER BY n.ord
  RETURNING id, account_number, person_id
), ag AS (
  INSERT INTO agreement (account_id, signed_on, commitment_version, commitment_date, commitment_accepted)
  SELECT id, $6::date, $7, $8::date, true FROM a
), dp AS (
  INSERT INTO deposit_plan (account_id, monthly_amount, deposit_day, mode, channel, bank_account, effective_from)
  SELECT id, $9::numeric, 10, 'MONTHLY', $10, $11, $6::date FROM a
), ob AS (
  INSERT INTO outbox_message (topic, payload, attempts, done_at)
  SELECT 'national.registerAccount',
         jsonb_build_object('idNumber', p.id_number, 'centerCode', '${CENTER_CODE}', 'accountNumber', a.account_number, 'kind', 'FLEXIBLE', 'by', 'bench-seed'),
         1, now()
  FROM a JOIN p ON p.id = a.person_id
), idem AS (
  INSERT INTO idempotency_record (key, operation, actor, request_hash, response)
  SELECT 'bench-seed-enrol-' || account_number, 'enrollWorker', 'bench-seed', md5(account_number) || md5(account_number), jsonb_build_object('accountNumber', account_number)
  FROM a
)
SELECT account_number FROM a ORDER BY id`;

export interface SeedOptions {
  area: string;
  count: number;
  enrolledOn: string;
  monthlyAmount: string;
  channel: "BANK_COLLECTION" | "ACTIVE_PAYMENT";
}

/** Seeds `count` enrolled workers set-based (5,000 per statement); returns their account numbers in id order. */
export async function seedAccountsSql(pool: Pool, o: SeedOptions): Promise<string[]> {
  claimArea(o.area, `${o.count} SQL-seeded workers`);
  const ids = idNumbers(o.area, o.count);
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    const sex = chunk.map((id) => (Number(id.charAt(16)) % 2 === 1 ? "M" : "F"));
    const birth = chunk.map((id) => `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`);
    const bankAccount = o.channel === "BANK_COLLECTION" ? "6222020000000000001" : null;
    const { rows } = await pool.query<{ account_number: string }>(SEED_SQL, [
      chunk,
      sex,
      birth,
      "压测人员",
      COUNTY,
      o.enrolledOn,
      CURRENT_COMMITMENT.version,
      CURRENT_COMMITMENT.date,
      o.monthlyAmount,
      o.channel,
      bankAccount,
    ]);
    out.push(...rows.map((r) => r.account_number));
  }
  return out;
}

export const ENROL = `mutation Enrol($input: EnrollWorkerInput!) {
  enrollWorker(input: $input) {
    account { accountNumber idNumber name kind status countyCode employmentForm openedOn balance paidMonths consecutiveMonths paidUpTo monthlyAmount }
    userErrors { code field message }
  }
}`;

/** A GraphQL answer counts as a success when it has no top-level errors and an empty userErrors list. */
export function graphqlSuccess(status: number, body: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
  if (body.includes('"errors":')) return `errors: ${body.slice(0, 300)}`;
  if (!body.includes('"userErrors":[]')) return `userErrors: ${body.slice(0, 300)}`;
  return null;
}

/** Enrols `count` workers through the hub's enrollWorker mutation, `concurrency` at a time; returns account numbers in id order. */
export async function enrolOverGraphql(
  hubUrl: string,
  token: string,
  pool: Pool,
  o: Omit<SeedOptions, "channel"> & { concurrency: number; runTag: string },
): Promise<{ accounts: string[]; load: LoadResult }> {
  claimArea(o.area, `${o.count} workers enrolled over GraphQL`);
  const ids = idNumbers(o.area, o.count);
  let i = 0;
  const load = await runLoad({
    url: hubUrl,
    concurrency: o.concurrency,
    maxRequests: ids.length,
    label: `enrollWorker x${o.count} (GraphQL)`,
    next: () => {
      const idNumber = ids[i];
      if (idNumber === undefined) return null;
      const n = i++;
      return {
        method: "POST",
        path: "/graphql",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: ENROL,
          variables: {
            input: {
              idNumber,
              name: "压测人员",
              countyCode: COUNTY,
              employmentForm: "NEW_FORM",
              commitmentAccepted: true,
              monthlyAmount: o.monthlyAmount,
              depositDay: 10,
              mode: "MONTHLY",
              channel: "ACTIVE_PAYMENT",
              enrolledOn: o.enrolledOn,
              idempotencyKey: `bench-enrol-${o.runTag}-${n}`,
            },
          },
        }),
      };
    },
    check: graphqlSuccess,
  });
  if (load.failed > 0) throw new Error(`enrolment failed for ${load.failed} workers\n${describeLoad(load)}`);
  const { rows } = await pool.query<{ account_number: string }>(
    `SELECT a.account_number FROM account a JOIN person p ON p.id = a.person_id WHERE p.id_number = ANY($1::text[]) ORDER BY a.id`,
    [ids],
  );
  if (rows.length !== o.count) throw new Error(`expected ${o.count} enrolled accounts, found ${rows.length}`);
  return { accounts: rows.map((r) => r.account_number), load };
}

/** Waits (bounded) until the outbox has delivered every message, so that no background work runs during a measurement. */
export async function waitOutboxDrained(pool: Pool, timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM outbox_message WHERE done_at IS NULL`);
    const pending = Number(rows[0]!.n);
    if (pending === 0 || Date.now() > until) return pending;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export const ACCOUNT = `query Account($n: String!) {
  account(accountNumber: $n) {
    accountNumber idNumber name kind status countyCode employmentForm openedOn
    balance withdrawableBalance paidMonths consecutiveMonths paidUpTo monthlyAmount hasOutstandingLoan
  }
}`;

/** Checks that an SQL-seeded account reads, through the hub, exactly like one enrolled over GraphQL. */
export async function assertSeedMatchesEnrolment(
  hubUrl: string,
  token: string,
  enrolled: string,
  seeded: string,
): Promise<void> {
  const read = async (n: string) => {
    const res = await fetch(`${hubUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: ACCOUNT, variables: { n } }),
    });
    const body = (await res.json()) as { data?: { account?: Record<string, unknown> | null } };
    const account = body.data?.account;
    if (!account) throw new Error(`account ${n} not readable through the hub: ${JSON.stringify(body)}`);
    const { accountNumber: _a, idNumber: _i, ...rest } = account;
    return rest;
  };
  const [a, b] = [await read(enrolled), await read(seeded)];
  if (JSON.stringify(a) !== JSON.stringify(b))
    throw new Error(
      `seeded account differs from an enrolled one:\n enrolled ${JSON.stringify(a)}\n seeded   ${JSON.stringify(b)}`,
    );
}
