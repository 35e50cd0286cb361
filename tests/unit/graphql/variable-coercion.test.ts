// Compiled execution (decision 031) lets graphql-jit coerce a compiled query's variables and hands a refusal to
// graphql-js, which answers it in its own words. That is only right if graphql-jit refuses exactly what graphql-js
// refuses and coerces the rest to the same values: checked here on the hub's schema for the scalars and shapes its
// hot reads take (strings, ID-number lists, dates, optional and required ints).
import "reflect-metadata";

import { type OperationDefinitionNode, parse } from "graphql";
import { getVariableValues } from "graphql/execution/values";
import { compileVariableParsing } from "graphql-jit/dist/variables";

import { buildHubSchema } from "../../../src/graphql/build-schema";

const schema = buildHubSchema();
const ID = "11010519491231002X";

const CASES: [string, string, Record<string, unknown>, boolean][] = [
  // [query, what, variables, graphql-js accepts]
  ["query($n:String!){account(accountNumber:$n){name}}", "a string", { n: "12" }, true],
  ["query($n:String!){account(accountNumber:$n){name}}", "a number for a string", { n: 12 }, false],
  ["query($n:String!){account(accountNumber:$n){name}}", "null for a required string", { n: null }, false],
  ["query($n:String!){account(accountNumber:$n){name}}", "a missing required string", {}, false],
  ["query($n:String!){account(accountNumber:$n){name}}", "a list for a string", { n: ["a"] }, false],
  ["query($n:String!){account(accountNumber:$n){name}}", "an object for a string", { n: { a: 1 } }, false],
  [
    "query($ids:[IdNumber!]!,$d:Date!){rentalEligibility(idNumbers:$ids,asOf:$d){idNumber}}",
    "valid",
    { ids: [ID], d: "2024-02-29" },
    true,
  ],
  [
    "query($ids:[IdNumber!]!,$d:Date!){rentalEligibility(idNumbers:$ids,asOf:$d){idNumber}}",
    "one ID for a list",
    { ids: ID, d: "2024-01-01" },
    true,
  ],
  [
    "query($ids:[IdNumber!]!,$d:Date!){rentalEligibility(idNumbers:$ids,asOf:$d){idNumber}}",
    "a bad checksum",
    { ids: ["110105194912310021"], d: "2024-01-01" },
    false,
  ],
  [
    "query($ids:[IdNumber!]!,$d:Date!){rentalEligibility(idNumbers:$ids,asOf:$d){idNumber}}",
    "null in the list",
    { ids: [null], d: "2024-01-01" },
    false,
  ],
  [
    "query($ids:[IdNumber!]!,$d:Date!){rentalEligibility(idNumbers:$ids,asOf:$d){idNumber}}",
    "a number in the list",
    { ids: [12], d: "2024-01-01" },
    false,
  ],
  [
    "query($ids:[IdNumber!]!,$d:Date!){rentalEligibility(idNumbers:$ids,asOf:$d){idNumber}}",
    "no such day",
    { ids: [], d: "2023-02-29" },
    false,
  ],
  [
    "query($ids:[IdNumber!]!,$d:Date!){rentalEligibility(idNumbers:$ids,asOf:$d){idNumber}}",
    "a number for a date",
    { ids: [], d: 20240101 },
    false,
  ],
  [
    "query($f:Int,$n:String!){account(accountNumber:$n){entries(first:$f){pageInfo{hasNextPage}}}}",
    "an int",
    { n: "1", f: 3 },
    true,
  ],
  [
    "query($f:Int,$n:String!){account(accountNumber:$n){entries(first:$f){pageInfo{hasNextPage}}}}",
    "null for an optional int",
    { n: "1", f: null },
    true,
  ],
  [
    "query($f:Int,$n:String!){account(accountNumber:$n){entries(first:$f){pageInfo{hasNextPage}}}}",
    "a string for an int",
    { n: "1", f: "3" },
    false,
  ],
  [
    "query($f:Int,$n:String!){account(accountNumber:$n){entries(first:$f){pageInfo{hasNextPage}}}}",
    "a fraction",
    { n: "1", f: 1.5 },
    false,
  ],
  [
    "query($f:Int,$n:String!){account(accountNumber:$n){entries(first:$f){pageInfo{hasNextPage}}}}",
    "2^31",
    { n: "1", f: 2 ** 31 },
    false,
  ],
  [
    "query($f:Int,$n:String!){account(accountNumber:$n){entries(first:$f){pageInfo{hasNextPage}}}}",
    "a boolean for an int",
    { n: "1", f: true },
    false,
  ],
];

it.each(CASES)("%s: %s", (query, _what, variables, accepted) => {
  const definitions = (parse(query).definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];
  const byGraphqlJs = getVariableValues(schema, definitions, variables, { maxErrors: 50 });
  const byJit = compileVariableParsing(schema, definitions)(variables) as { errors?: unknown[]; coerced?: unknown };
  expect(byGraphqlJs.errors === undefined).toBe(accepted);
  expect((byJit.errors?.length ?? 0) === 0).toBe(accepted);
  if (accepted) expect(byJit.coerced).toEqual(byGraphqlJs.coerced);
});
