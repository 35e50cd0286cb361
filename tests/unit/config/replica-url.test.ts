// HUB_DB_REPLICA_URL (decision 057): a read-only copy of the PostgreSQL database that answers the agency bureaus'
// reads. Optional; beside PGlite, or as anything but a PostgreSQL URL, the process does not start.
import { ConfigError, loadConfig } from "../../../src/config";

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
