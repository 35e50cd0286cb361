import Decimal from "decimal.js";
import { z } from "zod";

import { route, type RunningSimulator, type SimulatorControl, startSimulatorServer } from "../shared/simulator.server";

/** Stand-in for the finance bureau's graduate-subsidy and fiscal-claim APIs (connectors.md). A batch is decided
 *  `payDelayS` seconds after receipt (evaluated when read, so no timer outlives the server): a claim
 *  whose amount has two decimals and lies in (0, 200.00] is PAID, any other is REJECTED. */

const MAX_CLAIM = new Decimal("200.00");

const claim = z.object({
  claimNo: z.string().min(1),
  idNumber: z.string().regex(/^\d{17}[\dXx]$/),
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  amount: z.string().regex(/^-?\d+(\.\d+)?$/),
  graduationDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  education: z.string().min(1),
});
const submission = z.object({
  batchNo: z.string().regex(/^[A-Za-z0-9-]{1,40}$/),
  claims: z
    .array(claim)
    .min(1)
    .refine((claims) => new Set(claims.map((c) => c.claimNo)).size === claims.length, "claimNo must be unique"),
});

type Submission = z.output<typeof submission>;

const fiscalClaim = z.object({
  claimNo: z.string().regex(/^[A-Za-z0-9-]{1,40}$/),
  kind: z.enum(["INTEREST_SUBSIDY", "RISK_COMPENSATION"]),
  items: z
    .array(
      z.object({
        idNumber: z.string().regex(/^\d{17}[\dXx]$/),
        reference: z.string().min(1).max(64),
        amount: z.string().regex(/^-?\d+(\.\d+)?$/),
      }),
    )
    .min(1),
});
type FiscalClaimSubmission = z.output<typeof fiscalClaim>;
interface StoredFiscalClaim {
  submission: FiscalClaimSubmission;
  receivedAt: number;
  decided: { status: "PAID" | "REJECTED"; paidOn: string | null } | null;
}
type ClaimResult = { claimNo: string; status: "PAID" | "REJECTED"; reason: string | null; paidOn: string | null };
type BatchStatus = "RECEIVED" | "PAID" | "PARTIALLY_PAID" | "REJECTED";
interface StoredBatch {
  submission: Submission;
  receivedAt: number;
  results: ClaimResult[] | null;
}

export interface FinanceSimulatorControl extends SimulatorControl {
  batches(): { batchNo: string; status: BatchStatus; claimCount: number }[];
  fiscalClaims(): { claimNo: string; kind: string; status: string; itemCount: number; amount: string }[];
  setPayDelayS(seconds: number): void;
}

export interface FinanceSimulatorOptions {
  port?: number;
  host?: string;
  /** Seconds between receipt and payment; default 5, 0 = at once. */
  payDelayS?: number;
  slowMs?: number;
}

export async function startFinanceSimulator(
  options: FinanceSimulatorOptions = {},
): Promise<RunningSimulator<FinanceSimulatorControl>> {
  const batches = new Map<string, StoredBatch>();
  const fiscalClaims = new Map<string, StoredFiscalClaim>();
  let payDelayS = options.payDelayS ?? 5;

  /** Decides the batch once its delay has passed; returns its status. */
  const settle = (batch: StoredBatch): BatchStatus => {
    if (batch.results === null && Date.now() >= batch.receivedAt + payDelayS * 1000) {
      const today = shanghaiDate(new Date());
      batch.results = batch.submission.claims.map((c) => decideClaim(c.claimNo, c.amount, today));
    }
    return batchStatus(batch.results);
  };
  /** Decides a fiscal claim once the delay has passed: PAID when every item is a positive amount in fen. */
  const decideFiscal = (claim: StoredFiscalClaim): string => {
    if (claim.decided === null && Date.now() >= claim.receivedAt + payDelayS * 1000) {
      const valid = claim.submission.items.every(
        (i) => /^\d+\.\d{2}$/.test(i.amount) && new Decimal(i.amount).greaterThan(0),
      );
      claim.decided = valid
        ? { status: "PAID", paidOn: shanghaiDate(new Date()) }
        : { status: "REJECTED", paidOn: null };
    }
    return claim.decided?.status ?? "RECEIVED";
  };

  const routes = [
    route("POST", /^\/v1\/graduate-subsidy\/batches$/, submission, (body) => {
      const earlier = batches.get(body.batchNo);
      if (earlier !== undefined && JSON.stringify(earlier.submission) !== JSON.stringify(body)) {
        return { status: 409, body: { error: "BATCH_NO_REUSED" } };
      }
      if (earlier === undefined) batches.set(body.batchNo, { submission: body, receivedAt: Date.now(), results: null });
      return { status: 200, body: { batchNo: body.batchNo, status: "RECEIVED" } };
    }),
    route("GET", /^\/v1\/graduate-subsidy\/batches\/([^/]+)$/, null, (_body, [encoded]) => {
      const batchNo = decodeURIComponent(encoded ?? "");
      const batch = batches.get(batchNo);
      if (batch === undefined) return { status: 404, body: { error: "BATCH_NOT_FOUND" } };
      const status = settle(batch);
      return { status: 200, body: { batchNo, status, results: batch.results ?? [] } };
    }),
    route("POST", /^\/v1\/fiscal-claims$/, fiscalClaim, (body) => {
      const earlier = fiscalClaims.get(body.claimNo);
      if (earlier !== undefined && JSON.stringify(earlier.submission) !== JSON.stringify(body)) {
        return { status: 409, body: { error: "CLAIM_NO_REUSED" } };
      }
      if (earlier === undefined)
        fiscalClaims.set(body.claimNo, { submission: body, receivedAt: Date.now(), decided: null });
      return { status: 200, body: { claimNo: body.claimNo, status: "RECEIVED" } };
    }),
    route("GET", /^\/v1\/fiscal-claims\/([^/]+)$/, null, (_body, [encoded]) => {
      const claimNo = decodeURIComponent(encoded ?? "");
      const claim = fiscalClaims.get(claimNo);
      if (claim === undefined) return { status: 404, body: { error: "CLAIM_NOT_FOUND" } };
      const status = decideFiscal(claim);
      return { status: 200, body: { claimNo, status, paidOn: claim.decided?.paidOn ?? null } };
    }),
  ];

  const running = await startSimulatorServer({
    port: options.port,
    host: options.host,
    slowMs: options.slowMs,
    malformedBody: { batchNo: 7, status: "LOST", results: [{ claimNo: null, status: "PAID" }] },
    routes,
  });
  const control: FinanceSimulatorControl = {
    ...running.control,
    batches: () =>
      [...batches.entries()].map(([batchNo, batch]) => ({
        batchNo,
        status: settle(batch),
        claimCount: batch.submission.claims.length,
      })),
    fiscalClaims: () =>
      [...fiscalClaims.entries()].map(([claimNo, claim]) => ({
        claimNo,
        kind: claim.submission.kind,
        status: decideFiscal(claim),
        itemCount: claim.submission.items.length,
        amount: claim.submission.items.reduce((sum, i) => sum.plus(i.amount), new Decimal(0)).toFixed(2),
      })),
    setPayDelayS(seconds) {
      payDelayS = seconds;
    },
  };
  return { ...running, control };
}

function decideClaim(claimNo: string, amount: string, today: string): ClaimResult {
  if (!/^\d+\.\d{2}$/.test(amount))
    return { claimNo, status: "REJECTED", reason: "AMOUNT_NOT_TWO_DECIMALS", paidOn: null };
  const value = new Decimal(amount);
  if (value.lessThanOrEqualTo(0) || value.greaterThan(MAX_CLAIM)) {
    return { claimNo, status: "REJECTED", reason: "AMOUNT_OUT_OF_RANGE", paidOn: null };
  }
  return { claimNo, status: "PAID", reason: null, paidOn: today };
}

function batchStatus(results: ClaimResult[] | null): BatchStatus {
  if (results === null) return "RECEIVED";
  const paid = results.filter((r) => r.status === "PAID").length;
  if (paid === results.length) return "PAID";
  return paid === 0 ? "REJECTED" : "PARTIALLY_PAID";
}

/** The calendar date in Asia/Shanghai, YYYY-MM-DD. */
function shanghaiDate(at: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(at);
}
