// What every use case needs, built once in main (or a test) and passed in: no module-level singletons.
import type { Logger } from "pino";

import type { CreditPort } from "../connectors/credit/credit.port";
import type { FinancePort } from "../connectors/finance/finance.port";
import type { NationalPlatformPort } from "../connectors/national-platform/national-platform.port";
import type { SqlDb } from "../db/driver-sql";
import type { SqlReads } from "../db/sql-reads";
import type { PrismaClient } from "../generated/prisma/client";
import type { FundAccounts } from "../ledger/fund-accounts";
import type { Ledger } from "../ledger/ledger";
import type { ExchangeChainer } from "./audit/exchange-chainer";
import type { ExchangeLogWriter } from "./audit/exchange-log.writer";
import type { ExchangeScope } from "./audit/exchange-scope";
import type { SubjectKeyer } from "./audit/subject-key";
import type { DepositBatcher } from "./deposits/deposit-batch";
import type { FreshAnswerCache } from "./metrics/fresh-answer-cache";
import type { PilotMetricsDto } from "./metrics/pilot-metrics";
import type { PolicyParameterService } from "./policy/policy-parameters.service";
import type { WithdrawalBatcher } from "./withdrawals/withdraw";

/** Who acts: a signed-in user, an agency system, or the hub itself (jobs, imports) as an explicit system actor. */
export interface Actor {
  sub: string;
  role: string;
  org: string;
  requestId?: string;
  purpose?: string;
  /** The exchange scope of the request (or job run) acting, passed down to its writes and outbound calls. */
  exchange?: ExchangeScope;
}

export const SYSTEM_ACTOR: Actor = { sub: "system:hub", role: "SYSTEM", org: "140500" };

export interface OutboxKicker {
  kick(): void;
}

export interface HubServices {
  prisma: PrismaClient;
  /** The hot set-based reads (account view, rental eligibility, tax deductions) straight through the driver. */
  reads: SqlReads;
  /** The agency bureaus' reads (taxDeductions, rentalEligibility): on the replica when the operator named one
   *  (HUB_DB_REPLICA_URL, decision 057), otherwise `reads`. Their exchange records are still written to the primary. */
  agencyReads: SqlReads;
  /** Raw SQL for the hot write paths (group commit, exchange log appends): the pg pool on PostgreSQL (decision 030). */
  sql: SqlDb;
  /** Connections of their own for the aggregate reads (pilotMetrics): they never queue behind writers (decision 026). */
  aggregatePrisma?: PrismaClient;
  /** pilotMetrics' answers shared by identical reads within a bound the operator sets (decision 033); absent: none. */
  pilotMetricsCache?: FreshAnswerCache<PilotMetricsDto>;
  policy: PolicyParameterService;
  national: NationalPlatformPort;
  /** The credit reference center 征信: a report per loan quota or application. */
  credit: CreditPort;
  /** The finance bureau, which pays graduate deposit subsidies. */
  finance: FinancePort;
  fundAccounts: FundAccounts;
  /** Posting, with the metric deltas hooked in by the composition root. */
  ledger: Ledger;
  outbox: OutboxKicker;
  logger: Logger;
  /** The tamper-evident exchange log (appends in batches). */
  exchangeLog: ExchangeLogWriter;
  /** Links inserted exchange records into the hash chain and keeps signed checkpoints outside the database. */
  exchangeChainer: ExchangeChainer;
  /** The keyed hash that indexes persons in the exchange log. */
  subjectKey: SubjectKeyer;
  /** Posts concurrent recordDeposit requests together (group commit, decision 019). */
  depositBatcher: DepositBatcher;
  /** Posts concurrent withdraw requests together (group commit, decision 051). */
  withdrawalBatcher: WithdrawalBatcher;
  /** Batches of a bank collection file posted at once, each its own transaction (decision 041); absent: 1. */
  importLanes?: number;
}
