// Who may call what: one table, deny by default. Coarse role rules live here; row scopes (which rows a
// viewer may see, e.g. a WORKER only their own account) are applied by the resolvers and look like "not found".
import {
  defaultFieldResolver,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  GraphQLObjectType,
  GraphQLSchema,
  type GraphQLSchemaConfig,
} from "graphql";

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

/** What a root field's check answers: allowed, or the error the field answers instead of running. */
type Check = (ctx: HubContext) => true | Error;

/** The check of a field the table lists: the viewer's role is one of `allowed`. */
function roles(allowed: readonly Role[]): Check {
  return (ctx) => {
    if (!ctx.viewer) return unauthenticated();
    return allowed.includes(ctx.viewer.role) ? true : forbidden();
  };
}

/** The check of a root field the table does not list: nobody. */
const denyUnlisted: Check = (ctx) => (ctx.viewer ? forbidden() : unauthenticated());

/** The check of every root field by the table (deny by default). */
export function rootChecks(schema: GraphQLSchema): Record<"Query" | "Mutation", Record<string, Check>> {
  const checks = { Query: {}, Mutation: {} } as Record<"Query" | "Mutation", Record<string, Check>>;
  for (const type of ["Query", "Mutation"] as const) {
    const root = type === "Query" ? schema.getQueryType() : schema.getMutationType();
    for (const field of Object.keys(root?.getFields() ?? {})) {
      const allowed = ROOT_PERMISSIONS[type][field];
      checks[type][field] = allowed ? roles(allowed) : denyUnlisted;
    }
  }
  return checks;
}

/** `resolve` behind `check`: a refused call answers the check's error and runs nothing. */
function guarded(
  resolve: GraphQLFieldResolver<unknown, HubContext>,
  check: Check,
): GraphQLFieldResolver<unknown, HubContext> {
  return (parent, args, ctx, info) => {
    const verdict = check(ctx);
    if (verdict !== true) throw verdict;
    return resolve(parent, args, ctx, info);
  };
}

function guardedRoot(
  type: GraphQLObjectType | null | undefined,
  checks: Record<string, Check>,
): GraphQLObjectType | undefined {
  if (!type) return undefined;
  const config = type.toConfig();
  const fields: Record<string, GraphQLFieldConfig<unknown, HubContext>> = {};
  for (const [name, field] of Object.entries(config.fields as Record<string, GraphQLFieldConfig<unknown, HubContext>>))
    fields[name] = { ...field, resolve: guarded(field.resolve ?? defaultFieldResolver, checks[name]!) };
  return new GraphQLObjectType({ ...config, fields });
}

/**
 * A copy of `schema` whose root fields check the table before they run (deny by default); everything else is reachable
 * only through an allowed root, and row scopes live in the resolvers, so nothing below the roots is wrapped. The check
 * reads only the viewer. (Decision 031: this replaced graphql-shield through graphql-middleware, whose asynchronous
 * middleware, rule cache and wrappers around each root call cost more than the table lookup they ran; the errors are
 * the same: UNAUTHENTICATED without a viewer, FORBIDDEN for another role.)
 */
export function applyPermissions(schema: GraphQLSchema): GraphQLSchema {
  const checks = rootChecks(schema);
  const config: GraphQLSchemaConfig = schema.toConfig();
  const query = guardedRoot(schema.getQueryType(), checks.Query);
  const mutation = guardedRoot(schema.getMutationType(), checks.Mutation);
  const replaced = new Map<unknown, GraphQLObjectType | undefined>([
    [schema.getQueryType(), query],
    [schema.getMutationType(), mutation],
  ]);
  return new GraphQLSchema({
    ...config,
    query,
    mutation,
    types: (config.types ?? []).map((t) => replaced.get(t) ?? t),
  });
}
