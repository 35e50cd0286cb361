// Who may call what: one table, deny by default. Coarse role rules live here; row scopes (which rows a
// viewer may see, e.g. a WORKER only their own account) are applied by the resolvers and look like "not found".
import { GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import type { IRule } from "graphql-shield";
import { type IRules, rule, shield } from "graphql-shield";
type Rule = IRule;
import type { HubContext } from "../context";
import { forbidden, unauthenticated } from "../errors";
import { Role } from "./role";

const CENTER = [Role.CENTER_OPERATOR, Role.CENTER_ADMIN];

/** Every root field and the roles that may call it. A field missing here is denied (and fails a test). */
export const ROOT_PERMISSIONS: Record<"Query" | "Mutation", Record<string, readonly Role[]>> = {
  Query: {
    account: [...CENTER, Role.WORKER],
    accountByIdNumber: [...CENTER, Role.WORKER],
    loanQuota: [...CENTER, Role.WORKER],
    policyParameters: CENTER,
    pilotMetrics: [Role.LEADERSHIP, Role.CENTER_ADMIN],
    exchangeLog: [Role.AUDITOR],
    myDataAccess: [Role.WORKER],
    verifyExchangeLog: [Role.AUDITOR],
    taxDeductions: [Role.TAX_BUREAU],
    rentalEligibility: [Role.HOUSING_BUREAU],
    // WORKER: own loans only (the resolver's row scope)
    loan: [...CENTER, Role.WORKER],
  },
  Mutation: {
    enrollWorker: [Role.CENTER_OPERATOR],
    recordDeposit: [Role.CENTER_OPERATOR],
    payLumpSum: [Role.CENTER_OPERATOR],
    importBankCollection: [Role.CENTER_OPERATOR],
    setPolicyParameter: [Role.CENTER_ADMIN],
    claimGraduateSubsidies: [Role.CENTER_ADMIN],
    settleGraduateSubsidies: [Role.CENTER_ADMIN],
    // WORKER: own account only (the resolver's row scope)
    withdraw: [Role.CENTER_OPERATOR, Role.WORKER],
    exitAgreement: [Role.CENTER_OPERATOR, Role.WORKER],
    importBankPayouts: [Role.CENTER_OPERATOR],
    settleInterest: [Role.CENTER_ADMIN],
    convertAccount: [Role.CENTER_OPERATOR],
    changeDepositPlan: [Role.CENTER_OPERATOR, Role.WORKER],
    receiveTransfer: [Role.CENTER_OPERATOR],
    transferOut: [Role.CENTER_OPERATOR],
    transferToRelative: [Role.CENTER_OPERATOR],
    importLegacyAccounts: [Role.CENTER_OPERATOR],
    recordFraudBan: [Role.CENTER_ADMIN],
    applyForLoan: [Role.CENTER_OPERATOR],
    disburseLoan: [Role.CENTER_ADMIN],
    repayLoan: [Role.CENTER_OPERATOR],
    runLoanRepayments: [Role.CENTER_ADMIN],
  },
};

const ruleCache = new Map<string, Rule>();

/** A rule that reads only the context, so shield evaluates it once per request. */
function roles(allowed: readonly Role[]): Rule {
  const name = [...allowed].sort().join("|");
  let cached = ruleCache.get(name);
  if (!cached) {
    cached = rule(`roles:${name}`, { cache: "contextual" })((_parent, _args, ctx: HubContext) => {
      if (!ctx.viewer) return unauthenticated();
      return allowed.includes(ctx.viewer.role) ? true : forbidden();
    });
    ruleCache.set(name, cached);
  }
  return cached;
}

export function permissionRules(): IRules {
  const tree: Record<string, Record<string, Rule>> = {};
  for (const [type, fields] of Object.entries(ROOT_PERMISSIONS)) {
    tree[type] = Object.fromEntries(Object.entries(fields).map(([field, allowed]) => [field, roles(allowed)]));
  }
  return tree as unknown as IRules;
}

/** Wraps the root fields by the table (deny by default); anything else is reachable only through an allowed root. */
export function applyPermissions(schema: GraphQLSchema): GraphQLSchema {
  const denyUnlisted = rule("deny-unlisted-root", { cache: "contextual" })((_p, _a, ctx: HubContext) =>
    ctx.viewer ? forbidden() : unauthenticated(),
  );
  const rules = permissionRules() as Record<string, Record<string, unknown>>;
  for (const type of ["Query", "Mutation"] as const) {
    const root = type === "Query" ? schema.getQueryType() : schema.getMutationType();
    for (const field of Object.keys(root?.getFields() ?? {})) {
      rules[type] ??= {};
      rules[type]![field] ??= denyUnlisted;
    }
  }
  const permissions = shield(rules as IRules, {
    fallbackRule: denyUnlisted,
    allowExternalErrors: true,
    debug: false,
    fallbackError: () => forbidden(),
  });
  // Shield would wrap every field of every type; only the root fields carry rules (everything below is reachable only
  // through an allowed root, and row scopes live in the resolvers), so only they are wrapped: no per-field cost on lists.
  const generated = permissions.generate(schema) as Record<string, unknown>;
  return applyMiddleware(schema, { Query: generated.Query, Mutation: generated.Mutation } as Parameters<
    typeof applyMiddleware
  >[1]);
}
