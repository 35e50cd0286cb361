/** Jest: @swc/jest with decorator metadata (type-graphql needs it). Two projects:
 *  unit — pure rules, no database; db — everything that starts a database, a hub or a simulator.
 *  `npm test` runs both on PGlite; `.ci/run` runs `db` again with DATABASE_URL on PostgreSQL. */
const transform = {
  "^.+\\.ts$": [
    "@swc/jest",
    {
      jsc: {
        parser: { syntax: "typescript", decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: "es2022",
        keepClassNames: true,
      },
      module: { type: "commonjs" },
      sourceMaps: "inline",
    },
  ],
};
module.exports = {
  // Database suites start a hub (PGlite initdb + migrations take seconds on 2 busy cores).
  testTimeout: 60000,
  projects: [
    { displayName: "unit", testEnvironment: "node", transform, testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    {
      displayName: "db",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/tests/integration/**/*.test.ts", "<rootDir>/tests/e2e/**/*.test.ts"],
      testTimeout: 60000,
      slowTestThreshold: 30,
    },
  ],
};
