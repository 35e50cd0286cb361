// ESLint (flat config): typescript-eslint with type information for the promise rules; process.env only in config.
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const simpleImportSort = require("eslint-plugin-simple-import-sort");
const prettierConfig = require("eslint-config-prettier");

module.exports = tseslint.config(
  { ignores: ["node_modules/", "dist/", "data/", "src/generated/", "coverage/", "test-artifacts/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    plugins: { "simple-import-sort": simpleImportSort },
    rules: {
      "simple-import-sort/imports": "error",
      "simple-import-sort/exports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration in src/config.ts only." },
      ],
    },
  },
  {
    // Entry points and tooling outside the app read their own environment.
    files: [
      "src/config.ts",
      "prisma.config.ts",
      "simulators/**/*.ts",
      "tests/**/*.ts",
      "bench/**/*.ts",
      "scripts/**/*.ts",
      "src/dev/**/*.ts",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // No AsyncLocalStorage in the hub: a store entered once turns V8's promise hooks on for the whole process, about a
    // tenth of a read's hub CPU (decision 048); what a request's work needs is passed to it. The query counter is the
    // one exception: opt-in (`countQueries`), for the tests that count statements.
    files: ["src/**/*.ts"],
    ignores: ["src/db/query-counter.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        ...["node:async_hooks", "async_hooks"].map((name) => ({
          name,
          message: "Pass the request's state explicitly (decision 048): no AsyncLocalStorage in the hub.",
        })),
      ],
    },
  },
  {
    files: ["**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
    },
  },
  {
    // Plain scripts served to the browser (the dashboard): browser globals, no Node.
    files: ["src/**/*.client.js"],
    languageOptions: {
      sourceType: "script",
      globals: Object.fromEntries(
        [
          "window",
          "document",
          "location",
          "history",
          "sessionStorage",
          "fetch",
          "URL",
          "URLSearchParams",
          "Intl",
          "setTimeout",
          "echarts",
        ].map((g) => [g, "readonly"]),
      ),
    },
  },
  prettierConfig,
);
