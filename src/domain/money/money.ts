/**
 * Money: the one place that decides how amounts are parsed, rounded and printed.
 * Amounts are decimal.js values (never JS numbers); rounding is half-up to the fen (0.01 元).
 */
import Decimal from "decimal.js";

export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type MoneyValue = InstanceType<typeof Money>;
/** Instances of `Money` (the same type as `MoneyValue`). */
export type Money = MoneyValue;

export class MoneyFormatError extends Error {
  override readonly name = "MoneyFormatError";
}

export const ZERO: MoneyValue = new Money(0);

/** Exactly two decimals, as the contract's Money scalar says ("1234.50"): "1000" and "1000.5" are refused. */
const MONEY_INPUT = /^-?\d{1,16}\.\d{2}$/;
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** Creates a Money from a decimal string, folding a negative zero to zero. */
function fromDecimalString(text: string): MoneyValue {
  const value = new Money(text);
  return value.isZero() ? ZERO : value;
}

/** Parses an amount sent by a client or a bank file: plain digits and exactly 2 decimals (decision 015). */
export function parseMoney(text: string): MoneyValue {
  if (typeof text !== "string" || !MONEY_INPUT.test(text)) {
    throw new MoneyFormatError(`Not a money amount (up to 16 digits and exactly 2 decimals): ${JSON.stringify(text)}`);
  }
  return fromDecimalString(text);
}

/**
 * Converts a stored value into Money: a Prisma Decimal (another decimal.js copy, read through its
 * plain-notation toFixed()), a decimal string, or an integer number. Never rounds.
 */
export function toMoney(value: { toFixed(): string } | string | number): MoneyValue {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new MoneyFormatError(`Only integer numbers convert to money: ${value}`);
    }
    return fromDecimalString(String(value));
  }
  const text = typeof value === "string" ? value : value.toFixed();
  if (!PLAIN_DECIMAL.test(text)) {
    throw new MoneyFormatError(`Not a decimal amount: ${JSON.stringify(text)}`);
  }
  return fromDecimalString(text);
}

/** `compute` remembered per argument (for one batch: it keeps every argument it was given until the batch is done). */
function perBatch<K, V>(compute: (key: K) => V): (key: K) => V {
  const seen = new Map<K, V>();
  return (key) => {
    let value = seen.get(key);
    if (value === undefined) seen.set(key, (value = compute(key)));
    return value;
  };
}

/**
 * toMoney for the many amounts of one batch read: equal texts share one value (decimal.js values never change), so a
 * tax page of 1,260 months paid at a few amounts makes a few Decimals, not 1,260. One per batch.
 */
export function batchToMoney(): (text: string) => MoneyValue {
  return perBatch((text: string) => toMoney(text));
}

/**
 * formatMoney for one batch: each value printed once. Pays where the same instances recur (amounts from
 * batchToMoney, a shared cap); one per batch, like batchToMoney.
 */
export function batchFormatMoney(): (d: MoneyValue) => string {
  return perBatch((d: MoneyValue) => formatMoney(d));
}

/**
 * The exact sum of `amounts`. Equal instances are counted and multiplied once: a tax page's months repeat a few
 * amounts (batchToMoney shares them, and a cap is one instance), so a year of twelve equal months is one
 * multiplication, not eleven additions.
 */
export function sumMoney(amounts: Iterable<MoneyValue>): MoneyValue {
  const counts = new Map<MoneyValue, number>();
  for (const amount of amounts) counts.set(amount, (counts.get(amount) ?? 0) + 1);
  let sum = ZERO;
  for (const [amount, count] of counts) sum = sum.plus(count === 1 ? amount : amount.times(count));
  return sum.isZero() ? ZERO : sum;
}

/** Rounds half-up (away from zero at .5) to 2 decimals. */
export function roundFen(d: Decimal): MoneyValue {
  // A Money (this clone: every decimal.js clone shares one prototype, so not instanceof) already in whole fen is its
  // own rounding (decimal.js values never change): no copy (decision 027).
  if (d.constructor === Money && d.decimalPlaces() <= 2) return d.isZero() ? ZERO : d;
  const rounded = new Money(d).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return rounded.isZero() ? ZERO : rounded;
}

/** Prints exactly 2 decimals, never exponent notation, never "-0.00". */
export function formatMoney(d: Decimal): string {
  if (d.isZero()) return "0.00";
  // Already a whole number of fen (and within Money's 40 digits): printing needs no rounding, so no new Decimal.
  if (d.decimalPlaces() <= 2 && d.precision(true) <= 40) return d.toFixed(2);
  return roundFen(d).toFixed(2);
}

/** Already in the printed form: plain digits, no leading zero, exactly two decimals, never "-0.00". */
const PRINTED_MONEY = /^-?(?:0|[1-9]\d*)\.\d{2}$/;

/**
 * The printed form of a stored or computed amount (what the Money scalar answers). A string already printed the way
 * formatMoney prints is returned as it is, with no Decimal made for it (a tax page serializes 18,000 amounts);
 * anything else goes through toMoney and formatMoney, so the answer is always exactly what formatMoney gives.
 */
export function moneyText(value: { toFixed(): string } | string | number): string {
  if (typeof value === "string" && PRINTED_MONEY.test(value) && value !== "-0.00") return value;
  return formatMoney(toMoney(value));
}
