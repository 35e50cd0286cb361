// HUB_DB_READ_LANES (decision 045): pipelined PostgreSQL connections the short reads share. Absent: 4; set, a whole
// number from 0 (every read on the pool) to 16, else the process does not start.
import { ConfigError, loadConfig } from "../../../src/config";

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ NODE_ENV: "development", ...extra });

it("opens 4 lanes when HUB_DB_READ_LANES is absent", () => {
  expect(loadConfig(env()).database.readLanes).toBe(4);
});

it("takes 0 (every read on the pool) to 16 lanes", () => {
  expect(loadConfig(env({ HUB_DB_READ_LANES: "0" })).database.readLanes).toBe(0);
  expect(loadConfig(env({ HUB_DB_READ_LANES: "16" })).database.readLanes).toBe(16);
});

it.each(["17", "-1", "2.5", "four"])("refuses HUB_DB_READ_LANES=%s, naming it", (value) => {
  expect(() => loadConfig(env({ HUB_DB_READ_LANES: value }))).toThrow(ConfigError);
  expect(() => loadConfig(env({ HUB_DB_READ_LANES: value }))).toThrow(/HUB_DB_READ_LANES/);
});
