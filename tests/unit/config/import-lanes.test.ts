// HUB_IMPORT_LANES (decision 041): batches of one bank collection file posted at once. Absent, the hub chooses (2 on
// PostgreSQL, 1 on PGlite); set, a whole number from 1 to 8, else the process does not start.
import { ConfigError, loadConfig } from "../../../src/config";

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ NODE_ENV: "development", ...extra });

it("leaves the lanes to the hub when HUB_IMPORT_LANES is absent", () => {
  expect(loadConfig(env()).importLanes).toBeUndefined();
});

it("takes 1 to 8 lanes", () => {
  expect(loadConfig(env({ HUB_IMPORT_LANES: "1" })).importLanes).toBe(1);
  expect(loadConfig(env({ HUB_IMPORT_LANES: "8" })).importLanes).toBe(8);
});

it.each(["0", "9", "1.5", "two", "-2"])("refuses HUB_IMPORT_LANES=%s, naming it", (value) => {
  expect(() => loadConfig(env({ HUB_IMPORT_LANES: value }))).toThrow(ConfigError);
  expect(() => loadConfig(env({ HUB_IMPORT_LANES: value }))).toThrow(/HUB_IMPORT_LANES/);
});
