// Policy parameters in force on a date. The table is small, so it is held in memory and refreshed
// after a change here or at most `ttlMs` after a change made by another hub process.
import { inTransaction } from "../../db/transaction";
import type { EnrolmentPolicy } from "../../domain/accounts/enrolment.rule";
import type { RetirementRule } from "../../domain/accounts/retirement-age.rule";
import type { DepositLimits } from "../../domain/deposits/deposit.rule";
import { type MoneyValue, toMoney } from "../../domain/money/money";
import { PARAMETER_CATALOG, PARAMETERS_BY_KEY } from "../../domain/policy/parameter-catalog";
import type { PrismaClient } from "../../generated/prisma/client";

export interface ParameterRow {
  key: string;
  value: string;
  unit: string | null;
  effectiveFrom: string;
  source: string | null;
  recordedAt: Date;
}

export class MissingParameterError extends Error {}

/** The values of every parameter in force on one date. */
export class ParametersOn {
  constructor(
    readonly date: string,
    private readonly rows: ReadonlyMap<string, ParameterRow>,
  ) {}

  list(): ParameterRow[] {
    return [...this.rows.values()].sort((a, b) => a.key.localeCompare(b.key));
  }
  text(key: string): string {
    const row = this.rows.get(key);
    if (!row) throw new MissingParameterError(`policy parameter ${key} has no value in force on ${this.date}`);
    return row.value;
  }
  int(key: string): number {
    return Number.parseInt(this.text(key), 10);
  }
  money(key: string): MoneyValue {
    return toMoney(this.text(key));
  }
  decimal(key: string): MoneyValue {
    return toMoney(this.text(key));
  }
  bool(key: string): boolean {
    return this.text(key) === "true";
  }
  codes(key: string): string[] {
    return this.text(key).split(",");
  }
  retirement(sex: "male" | "female" | "female50"): RetirementRule {
    return {
      baseAgeMonths: this.int(`retirement.${sex}.baseAgeMonths`),
      targetAgeMonths: this.int(`retirement.${sex}.targetAgeMonths`),
      reformStartBirthMonth: this.text(`retirement.${sex}.reformStartBirthMonth`),
      stepBirthMonths: this.int(`retirement.${sex}.stepBirthMonths`),
    };
  }
  enrolmentPolicy(): EnrolmentPolicy {
    return {
      minAgeMonths: this.int("enrolment.minAgeYears") * 12,
      retirementMale: this.retirement("male"),
      retirementFemale: this.retirement("female"),
      retirementFemale50: this.retirement("female50"),
      countyCodes: this.codes("enrolment.countyCodes"),
      monthlyMin: this.money("deposit.monthlyMin"),
      monthlyMax: this.money("deposit.monthlyMax"),
    };
  }
  depositLimits(): DepositLimits {
    return {
      monthlyMin: this.money("deposit.monthlyMin"),
      monthlyMax: this.money("deposit.monthlyMax"),
      backPayWithinSettlementYear: this.bool("deposit.backPayWithinSettlementYear"),
    };
  }
}

/** What a reader of parameters needs (PolicyParameterService; the bench's bare baselines read the table once). */
export interface PolicyParameters {
  on(date: string): Promise<ParametersOn>;
}

/**
 * Values in force on `date` of rows ordered by key, effective date and id: per key, the latest effective date not
 * after it, latest recorded wins.
 */
export function parametersInForce(rows: readonly ParameterRow[], date: string): ParametersOn {
  const inForce = new Map<string, ParameterRow>();
  for (const row of rows) {
    if (row.effectiveFrom <= date) inForce.set(row.key, row); // rows are ordered, so the last one wins
  }
  return new ParametersOn(date, inForce);
}

export class PolicyParameterService implements PolicyParameters {
  private rows: ParameterRow[] | null = null;
  private loadedAt = 0;
  private readonly cache = new Map<string, ParametersOn>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = 2000,
  ) {}

  invalidate(): void {
    this.rows = null;
    this.cache.clear();
    this.loading = null;
    this.generation += 1;
  }

  /** The read under way: concurrent requests that find the rows stale share it (one statement, not one each). */
  private loading: Promise<ParameterRow[]> | null = null;
  /** Bumped by invalidate(): a read that started before a change does not store what it read. */
  private generation = 0;

  private load(): Promise<ParameterRow[]> {
    if (this.rows && Date.now() - this.loadedAt < this.ttlMs) return Promise.resolve(this.rows);
    if (this.loading) return this.loading;
    const loading = this.read().finally(() => {
      if (this.loading === loading) this.loading = null;
    });
    this.loading = loading;
    return loading;
  }

  private async read(): Promise<ParameterRow[]> {
    const generation = this.generation;
    const rows = await this.prisma.policyParameter.findMany({
      orderBy: [{ key: "asc" }, { effectiveFrom: "asc" }, { id: "asc" }],
    });
    const read = rows.map((r) => ({
      key: r.key,
      value: r.value,
      unit: r.unit,
      effectiveFrom: r.effectiveFrom.toISOString().slice(0, 10),
      source: r.source,
      recordedAt: r.recordedAt,
    }));
    if (generation !== this.generation) return read; // invalidated meanwhile: answer, but keep nothing
    this.cache.clear();
    this.rows = read;
    this.loadedAt = Date.now();
    return read;
  }

  /** Values in force on `date` (parametersInForce). */
  async on(date: string): Promise<ParametersOn> {
    const rows = await this.load();
    const cached = this.cache.get(date);
    if (cached) return cached;
    const result = parametersInForce(rows, date);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(date, result);
    return result;
  }
}

const SEED_LOCK = 140_501;

/** Seeds every catalogued parameter that has no row yet (idempotent). Hubs starting together on one database
 *  take turns (a transaction-scoped advisory lock), so the catalog is seeded once, not once per hub. */
export async function seedPolicyParameters(prisma: PrismaClient): Promise<number> {
  return inTransaction(prisma, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK}::bigint)`;
    const existing = new Set(
      (await tx.policyParameter.findMany({ select: { key: true }, distinct: ["key"] })).map((r) => r.key),
    );
    const missing = PARAMETER_CATALOG.filter((p) => !existing.has(p.key));
    if (missing.length === 0) return 0;
    await tx.policyParameter.createMany({
      data: missing.map((p) => ({
        key: p.key,
        value: p.defaultValue,
        unit: p.unit,
        effectiveFrom: new Date(`${p.effectiveFrom}T00:00:00Z`),
        source: p.source,
        recordedBy: "system:seed",
      })),
    });
    return missing.length;
  });
}

export function isKnownParameter(key: string): boolean {
  return PARAMETERS_BY_KEY.has(key);
}
