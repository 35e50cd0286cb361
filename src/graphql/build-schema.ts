// Builds the executable schema from the resolvers, then wraps it with the permission map.
import "reflect-metadata";
import "../schema/common/enums";

import type { GraphQLSchema } from "graphql";
import { buildSchemaSync } from "type-graphql";

import { applyPermissions } from "../auth/permissions";
import { AccountResolver } from "../resolvers/accounts/account.resolver";
import { AccountMovesResolver } from "../resolvers/accounts/account-moves.resolver";
import { EnrollWorkerResolver } from "../resolvers/accounts/enroll-worker.resolver";
import { ExchangeLogResolver } from "../resolvers/audit/exchange-log.resolver";
import { DepositResolver } from "../resolvers/deposits/deposit.resolver";
import { RentalEligibilityResolver } from "../resolvers/housing/rental-eligibility.resolver";
import { InterestResolver } from "../resolvers/interest/interest.resolver";
import { AccountLoansResolver, LoanResolver } from "../resolvers/loans/loan.resolver";
import { LoanQuotaResolver } from "../resolvers/loans/loan-quota.resolver";
import { PilotMetricsResolver } from "../resolvers/metrics/pilot-metrics.resolver";
import { PolicyResolver } from "../resolvers/policy/policy.resolver";
import { FraudBanResolver } from "../resolvers/risk/fraud-ban.resolver";
import { GraduateSubsidyResolver } from "../resolvers/subsidies/graduate-subsidy.resolver";
import { TaxDeductionResolver } from "../resolvers/tax/tax-deduction.resolver";
import { WithdrawResolver } from "../resolvers/withdrawals/withdraw.resolver";
import { validateArgument } from "./argument-validation";

export const RESOLVERS = [
  AccountResolver,
  EnrollWorkerResolver,
  DepositResolver,
  PolicyResolver,
  ExchangeLogResolver,
  PilotMetricsResolver,
  GraduateSubsidyResolver,
  TaxDeductionResolver,
  RentalEligibilityResolver,
  LoanQuotaResolver,
  WithdrawResolver,
  InterestResolver,
  AccountMovesResolver,
  FraudBanResolver,
  LoanResolver,
  AccountLoansResolver,
] as const;

let cached: GraphQLSchema | undefined;

/** The schema without permissions (for SDL emission and the permission coverage test). */
export function buildBareSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({
    resolvers: [...RESOLVERS],
    validateFn: validateArgument,
    emitSchemaFile: false,
  });
  return cached;
}

export function buildHubSchema(): GraphQLSchema {
  return applyPermissions(buildBareSchema());
}
