// The agency bureaus' list reads (taxDeductions, rentalEligibility: up to 500 ID numbers a call) look each person up
// by the person_id_number_key index, whatever plan PostgreSQL makes of the statement (decision 061). With
// `p.id_number = ANY($1)` a custom plan (one made for a call's own 500 values, as PostgreSQL makes for a statement's
// first five runs on a connection, for every run of an unnamed statement, and for every run of a list statement whose
// generic plan never wins: decision 037) scanned the whole person table, in parallel, once the table was large.
import { Client } from "pg";

import { RENTAL_SQL } from "../../../src/services/housing/rental-eligibility";
import { TAX_SQL } from "../../../src/services/tax/tax-deductions";
import { startTestHub, type TestHub } from "../../helpers/test-hub";

// Plans are PostgreSQL's: PGlite has no parallel workers and the suites' tables are small. CI runs the db project
// again on PostgreSQL (DATABASE_URL), where this file runs.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

jest.setTimeout(120_000);

/** As many persons as the bench's tax row asks about (row 4b: 100,000), where the scan was chosen. */
const PERSONS = 100_000;

onPostgres("the agency list reads' plans", () => {
  let t: TestHub;
  let client: Client;
  let page: string[];

  beforeAll(async () => {
    t = await startTestHub(); // migrates the database
    client = new Client({ connectionString: t.database.options.url });
    client.on("error", () => undefined);
    await client.connect();
    await client.query(
      `INSERT INTO person (id_number, name, sex, birth_date)
       SELECT '9' || lpad(g::text, 17, '0'), 'plan test', 'M', DATE '1985-01-01' FROM generate_series(1, $1::int) g`,
      [PERSONS],
    );
    await client.query("ANALYZE person, account, deposit_month");
    // Every 200th person: a page of 500 spread over the table, as a bureau's page is.
    page = Array.from({ length: 500 }, (_, i) => `9${String(1 + i * 200).padStart(17, "0")}`);
    await client.query("SET plan_cache_mode = force_custom_plan");
  });

  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  /** The plan PostgreSQL makes for this page's own values: the person table's lines of it. */
  async function personScans(name: string, sql: string, types: string, rest: string): Promise<string[]> {
    await client.query(`PREPARE ${name}(${types}) AS ${sql}`);
    const { rows } = await client.query<{ "QUERY PLAN": string }>(
      `EXPLAIN (COSTS OFF) EXECUTE ${name}('{${page.join(",")}}'::bpchar[], ${rest})`,
    );
    return rows.map((r) => r["QUERY PLAN"].trim()).filter((line) => / on person\b/.test(line));
  }

  it("taxDeductions probes the ID-number index for each person asked", async () => {
    const scans = await personScans("tax_plan", TAX_SQL, "bpchar[], date, date", "'2024-01-01', '2024-12-31'");
    expect(scans).toEqual([expect.stringMatching(/^->\s+Index (Only )?Scan using person_id_number_key on person p/)]);
  });

  it("rentalEligibility probes the ID-number index for each person asked", async () => {
    const scans = await personScans("rental_plan", RENTAL_SQL, "bpchar[], date, bpchar", "'2025-06-20', '2025-06'");
    expect(scans).toEqual([expect.stringMatching(/^->\s+Index (Only )?Scan using person_id_number_key on person p/)]);
  });
});
