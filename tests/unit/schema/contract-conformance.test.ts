// The public contract (shared/contract/hub.graphql) names what agencies build against: every type, field,
// argument and enum value we serve must match it exactly. Contract operations not yet built are listed
// explicitly below, so that leaving one out is a visible decision.
import "reflect-metadata";

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

import {
  buildSchema,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
} from "graphql";

import { buildBareSchema } from "../../../src/graphql/build-schema";

/** Root operations of the contract that later issues build, each with the issue that builds it. */
const PENDING_OPERATIONS = new Map<string, string>([
  ["Query.loan", "#9 loans"],
  ["Mutation.applyForLoan", "#9 loans"],
  ["Mutation.disburseLoan", "#9 loans"],
  ["Mutation.repayLoan", "#9 loans"],
  ["Mutation.runLoanRepayments", "#9 loans"],
]);

/** Wave-2 fields on types we already serve, not built yet, each with its issue. */
const PENDING_FIELDS = new Map<string, string>([
  ["Account.loans", "#9 loans"],
  ["PilotMetrics.liquidityLevel", "#9 loans"],
  ["PilotMetrics.loanApplications", "#9 loans"],
  ["PilotMetrics.loanOverdueCount", "#9 loans"],
]);

/** Types that only pending operations or fields reach. */
const PENDING_TYPES = new Map<string, string>([
  ["LoanStatus", "#9 loans"],
  ["RepaymentMethod", "#9 loans"],
  ["InstalmentStatus", "#9 loans"],
  ["LiquidityLevel", "#9 loans"],
  ["LoanApplicationInput", "#9 loans"],
  ["Instalment", "#9 loans"],
  ["Loan", "#9 loans"],
  ["LoanPayload", "#9 loans"],
  ["LoanRepaymentInput", "#9 loans"],
  ["LoanRun", "#9 loans"],
  ["LoanRunPayload", "#9 loans"],
]);

function contractSchema(): GraphQLSchema {
  const shared = resolve(__dirname, "../../../../shared/contract/hub.graphql");
  const vendored = resolve(__dirname, "../../../contract/hub.graphql");
  return buildSchema(readFileSync(existsSync(shared) ? shared : vendored, "utf8"));
}

function shape(type: GraphQLNamedType): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObjectType(type)) {
    for (const f of Object.values(type.getFields())) {
      out[f.name] = `${f.type.toString()}(${[...f.args]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((a) => `${a.name}:${a.type.toString()}=${JSON.stringify(a.defaultValue ?? null)}`)
        .join(",")})`;
    }
  } else if (isInputObjectType(type)) {
    for (const f of Object.values(type.getFields())) out[f.name] = f.type.toString();
  } else if (isEnumType(type)) {
    for (const v of type.getValues()) out[v.name] = "enum";
  }
  return out;
}

describe("the served schema against the public contract", () => {
  const contract = contractSchema();
  const ours = buildBareSchema();

  it("serves every contract field of every type it defines with the contract's exact type and arguments", () => {
    const mismatches: string[] = [];
    for (const [name, contractType] of Object.entries(contract.getTypeMap())) {
      if (name.startsWith("__")) continue;
      const ourType = ours.getType(name);
      if (!ourType) continue; // whole types belonging to pending operations are checked below
      const expected = shape(contractType);
      const actual = shape(ourType);
      for (const [field, signature] of Object.entries(expected)) {
        if (PENDING_OPERATIONS.has(`${name}.${field}`) || PENDING_FIELDS.has(`${name}.${field}`)) continue;
        if (actual[field] !== signature)
          mismatches.push(`${name}.${field}: contract ${signature}, served ${actual[field] ?? "(missing)"}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("defines every contract type that a served operation reaches", () => {
    const missing = Object.keys(contract.getTypeMap()).filter((name) => !name.startsWith("__") && !ours.getType(name));
    expect(missing.filter((name) => !PENDING_TYPES.has(name))).toEqual([]);
  });

  it("lists as pending only operations that really are not served yet", () => {
    const served = new Set([
      ...Object.keys(ours.getQueryType()?.getFields() ?? {}).map((f) => `Query.${f}`),
      ...Object.keys(ours.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`),
    ]);
    expect([...PENDING_OPERATIONS.keys()].filter((op) => served.has(op))).toEqual([]);
    const contractOps = [
      ...Object.keys(contract.getQueryType()?.getFields() ?? {}).map((f) => `Query.${f}`),
      ...Object.keys(contract.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`),
    ];
    expect(contractOps.filter((op) => !served.has(op) && !PENDING_OPERATIONS.has(op))).toEqual([]);
  });

  it("lists as pending only fields and types that really are not served yet", () => {
    const servedFields = [...PENDING_FIELDS.keys()].filter((key) => {
      const [typeName, field] = key.split(".") as [string, string];
      const type = ours.getType(typeName);
      return type && (isObjectType(type) || isInputObjectType(type)) && field in type.getFields();
    });
    expect(servedFields).toEqual([]);
    expect([...PENDING_TYPES.keys()].filter((name) => ours.getType(name))).toEqual([]);
  });
});
