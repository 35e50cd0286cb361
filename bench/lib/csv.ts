// The bank collection result file (src/services/deposits/bank-collection.csv.ts), generated as a stream:
// by default month-major (each month's collection run covers every account), one SUCCESS row per (account, month),
// paidOn the 10th of the month paid for, unique paymentRefs. Nothing is held in memory but one chunk.
import { Readable } from "node:stream";

export const BANK_HEADER = "paymentRef,accountNumber,period,amount,paidOn,result,reason\n";

export interface BankFileSpec {
  accounts: readonly string[];
  periods: readonly string[];
  amount: string;
  rows: number;
  /** month: each month's run covers every account (default, realistic); account: all of one account's months together. */
  order?: "month" | "account";
}

export interface BankFileProgress {
  rows: number;
  bytes: number;
}

/** A Readable of the whole file (header included), `linesPerChunk` rows per chunk, produced on demand. */
export function bankFileStream(
  spec: BankFileSpec,
  progress: BankFileProgress = { rows: 0, bytes: 0 },
  linesPerChunk = 2000,
): Readable {
  let row = 0;
  let headerSent = false;
  const n = spec.accounts.length;
  const m = spec.periods.length;
  const byAccount = spec.order === "account";
  return new Readable({
    highWaterMark: 256 * 1024,
    read() {
      let text = "";
      if (!headerSent) {
        headerSent = true;
        text = BANK_HEADER;
      }
      const end = Math.min(spec.rows, row + linesPerChunk);
      for (; row < end; row++) {
        const account = spec.accounts[byAccount ? Math.floor(row / m) : row % n]!;
        const period = spec.periods[byAccount ? row % m : Math.floor(row / n)]!;
        text += `BK${period.slice(0, 4)}${period.slice(5, 7)}${account},${account},${period},${spec.amount},${period}-10,SUCCESS,\n`;
      }
      progress.rows = row;
      if (text.length > 0) {
        progress.bytes += text.length;
        this.push(text);
      }
      if (row >= spec.rows) this.push(null);
    },
  });
}
