// HUB_DB_REPLICA_URL (decision 057): a read-only copy of the PostgreSQL database that answers the agency bureaus'
// reads. Optional; beside PGlite, or as anything but a PostgreSQL URL, the process does not start.
import { ConfigError, loadConfig } from "../../../src/config";
import { probeIntervalFor } from "../../../src/db/replica-guard";

const PRIMARY = "postgresql://hub@db-primary:5432/hpf";
const REPLICA = "postgresql://hub_ro@db-replica:5432/hpf";
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ NODE_ENV: "development", ...extra });

it("reads every agency read from the primary when HUB_DB_REPLICA_URL is absent or empty", () => {
  expect(loadConfig(env({ DATABASE_URL: PRIMARY })).database.replicaUrl).toBeUndefined();
  expect(loadConfig(env({ DATABASE_URL: PRIMARY, HUB_DB_REPLICA_URL: "" })).database.replicaUrl).toBeUndefined();
});

it("takes a PostgreSQL replica beside a PostgreSQL primary", () => {
  const config = loadConfig(env({ DATABASE_URL: PRIMARY, HUB_DB_REPLICA_URL: REPLICA }));
  expect(config.database).toMatchObject({ url: PRIMARY, replicaUrl: REPLICA });
});

it("refuses a replica without DATABASE_URL (PGlite has no replica), naming both", () => {
  expect(() => loadConfig(env({ HUB_DB_REPLICA_URL: REPLICA }))).toThrow(ConfigError);
  expect(() => loadConfig(env({ HUB_DB_REPLICA_URL: REPLICA }))).toThrow(/HUB_DB_REPLICA_URL.*DATABASE_URL/);
});

it.each(["mysql://db-replica/hpf", "db-replica:5432", "redis://db-replica"])(
  "refuses HUB_DB_REPLICA_URL=%s, naming it and never echoing it",
  (value) => {
    const load = () => loadConfig(env({ DATABASE_URL: PRIMARY, HUB_DB_REPLICA_URL: value }));
    expect(load).toThrow(/HUB_DB_REPLICA_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(load).not.toThrow(value);
  },
);

describe("HUB_DB_REPLICA_MAX_LAG_MS (decision 058)", () => {
  it("bounds the replica's lag at 10 seconds unless told otherwise", () => {
    expect(loadConfig(env({ DATABASE_URL: PRIMARY, HUB_DB_REPLICA_URL: REPLICA })).database.replicaMaxLagMs).toBe(
      10000,
    );
  });

  it("takes a bound in milliseconds, and 0 for none", () => {
    const lag = (value: string) =>
      loadConfig(env({ DATABASE_URL: PRIMARY, HUB_DB_REPLICA_URL: REPLICA, HUB_DB_REPLICA_MAX_LAG_MS: value })).database
        .replicaMaxLagMs;
    expect(lag("2500")).toBe(2500);
    expect(lag("0")).toBe(0);
  });

  it.each(["-1", "1.5", "ten", "3600001"])("refuses HUB_DB_REPLICA_MAX_LAG_MS=%s, naming it", (value) => {
    expect(() =>
      loadConfig(env({ DATABASE_URL: PRIMARY, HUB_DB_REPLICA_URL: REPLICA, HUB_DB_REPLICA_MAX_LAG_MS: value })),
    ).toThrow(/HUB_DB_REPLICA_MAX_LAG_MS/);
  });
});

describe("the replica probe's interval (decision 058)", () => {
  it("is a quarter of the bound, once a second at most and 50 ms apart at least; once a second without a bound", () => {
    expect(probeIntervalFor(10000)).toBe(1000);
    expect(probeIntervalFor(4000)).toBe(1000);
    expect(probeIntervalFor(2000)).toBe(500);
    expect(probeIntervalFor(401)).toBe(100);
    expect(probeIntervalFor(100)).toBe(50);
    expect(probeIntervalFor(1)).toBe(50);
    expect(probeIntervalFor(0)).toBe(1000);
  });
});
