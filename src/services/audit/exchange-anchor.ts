// Anchors the exchange chain outside the database: signed checkpoints (head seq, id, hash, count, time) kept in an
// append-only file in a folder the operator exports (or, in development without a folder, in this process's
// memory). The signing key (HUB_AUDIT_ANCHOR_KEY) is never stored in the database, so someone who can rewrite the
// database can delete the tail or re-hash history, but cannot make a checkpoint agree with the rewritten chain.
import { createHmac, timingSafeEqual } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Checkpoint {
  /** Position of the chain head when the checkpoint was taken (= number of chained records). */
  seq: string;
  id: string;
  hash: string;
  count: string;
  at: string;
}

export interface SignedCheckpoint extends Checkpoint {
  sig: string;
}

export const CHECKPOINT_FILE = "exchange-checkpoints.jsonl";

function canonical(c: Checkpoint): string {
  return JSON.stringify([c.seq, c.id, c.hash, c.count, c.at]);
}

export class ExchangeAnchor {
  private readonly memory: SignedCheckpoint[] = [];

  constructor(
    private readonly key: string,
    /** Folder of the append-only checkpoint file; undefined keeps checkpoints in memory (development, tests). */
    private readonly dir?: string,
  ) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  get location(): string {
    return this.dir ? join(this.dir, CHECKPOINT_FILE) : "(memory)";
  }

  sign(c: Checkpoint): SignedCheckpoint {
    return { ...c, sig: createHmac("sha256", this.key).update(canonical(c)).digest("hex") };
  }

  isAuthentic(c: SignedCheckpoint): boolean {
    const expected = Buffer.from(this.sign(c).sig, "hex");
    const given = Buffer.from(typeof c.sig === "string" ? c.sig : "", "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  record(c: Checkpoint): SignedCheckpoint {
    const signed = this.sign(c);
    if (this.dir) appendFileSync(this.location, `${JSON.stringify(signed)}\n`, { flag: "a" });
    else this.memory.push(signed);
    return signed;
  }

  /** Every checkpoint kept, oldest first; a line that does not parse counts as an unauthentic checkpoint. */
  all(): SignedCheckpoint[] {
    if (!this.dir) return [...this.memory];
    if (!existsSync(this.location)) return [];
    return readFileSync(this.location, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        try {
          return JSON.parse(line) as SignedCheckpoint;
        } catch {
          return { seq: "0", id: "0", hash: "", count: "0", at: "", sig: "" };
        }
      });
  }
}
