// Which statements the driver sends as named prepared statements (decision 037). PostgreSQL parses and plans an
// unnamed statement every time it runs it; for the hub's statements that was most of their cost (the account view
// planned in 1.0 ms and ran in 0.2 ms inside a withdrawal). A text sent often enough gets a name, so that each
// connection parses and plans it once and keeps the plan, as pgjdbc does with its prepareThreshold. The texts are the
// code's own SQL (values go as parameters), but a text built from a varying fragment (a list joined into the text)
// must not grow every connection's set of prepared statements without end: only so many texts are counted and named.
import { createHash } from "node:crypto";

/** Uses of one text before it is prepared (pgjdbc's default prepareThreshold). */
export const PREPARE_AFTER_USES = 5;
/** Texts named at most: each connection of the pool may end up holding this many prepared statements. */
export const MAX_NAMED_STATEMENTS = 100;
/** Texts counted at most, named or not (the counts of texts that never reach the threshold). */
export const MAX_COUNTED_TEXTS = 2000;

/** Statements PostgreSQL plans (a utility statement, e.g. DO or SET, gains nothing from a name). */
const PLANNABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

export class StatementNames {
  private readonly uses = new Map<string, number>();
  private readonly names = new Map<string, string>();

  constructor(
    private readonly limits = {
      prepareAfterUses: PREPARE_AFTER_USES,
      maxNamed: MAX_NAMED_STATEMENTS,
      maxCounted: MAX_COUNTED_TEXTS,
    },
  ) {}

  /** The prepared statement's name for this text, or undefined: send it unnamed. */
  nameFor(text: string): string | undefined {
    const named = this.names.get(text);
    if (named !== undefined) return named;
    if (this.names.size >= this.limits.maxNamed || !PLANNABLE.test(text)) return undefined;
    const seen = this.uses.get(text);
    if (seen === undefined && this.uses.size >= this.limits.maxCounted) return undefined;
    const uses = (seen ?? 0) + 1;
    if (uses < this.limits.prepareAfterUses) {
      this.uses.set(text, uses);
      return undefined;
    }
    this.uses.delete(text);
    const name = `hub_s_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    this.names.set(text, name);
    return name;
  }

  /** How many texts are named (the unit tests read it). */
  get namedCount(): number {
    return this.names.size;
  }
}
