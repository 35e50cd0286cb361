// The ledger as the services use it: the fund's own accounts and posting, with what happens after each posting
// (the pilot metric deltas) passed in by the composition root, so the ledger imports nothing above it.
import type { SqlTx } from "../db/driver-sql";
import type { Prisma } from "../generated/prisma/client";
import type { FundAccounts } from "./fund-accounts";
import {
  type PostingHook,
  type PostingRequest,
  type PostingResult,
  postMany,
  postSqlCredits,
  type SqlCreditPosting,
} from "./posting";
import { postStaged, type StagedTotals } from "./staged-posting";

export interface Ledger {
  fund: FundAccounts;
  postMany(tx: SqlTx, requests: PostingRequest[]): Promise<PostingResult[]>;
  post(tx: SqlTx, request: PostingRequest): Promise<PostingResult>;
  /** One set-based credit posting to many workers (posting.ts postSqlCredits); its posting id, or null if empty. */
  postSqlCredits(tx: SqlTx, request: SqlCreditPosting): Promise<bigint | null>;
  /** Postings whose lines a query selects, written inside the database (staged-posting.ts). */
  postStaged(tx: SqlTx, lines: Prisma.Sql): Promise<StagedTotals>;
}

export function createLedger(fund: FundAccounts, afterPosting: PostingHook): Ledger {
  return {
    fund,
    postMany: (tx, requests) => postMany(tx, requests, afterPosting),
    post: async (tx, request) => (await postMany(tx, [request], afterPosting))[0]!,
    postSqlCredits: (tx, request) => postSqlCredits(tx, request, afterPosting),
    postStaged: (tx, lines) => postStaged(tx, lines, afterPosting),
  };
}
