/**
 * Calendar arithmetic on 'YYYY-MM-DD' dates and 'YYYY-MM' months (Asia/Shanghai calendar dates).
 * Works on the integer parts only: no Date objects, so no timezone shifts.
 * Functions other than the isValid* checks throw a RangeError on malformed input.
 */

interface YearMonth {
  year: number;
  month: number;
}

interface YearMonthDay extends YearMonth {
  day: number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The value of the ASCII digits of `s` from `start` to `end` (excluded); -1 if any is not a digit 0-9. */
function digits(s: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

// 'YYYY-MM' and 'YYYY-MM-DD' (ASCII digits, exactly that length), parsed character by character: no regular
// expression and no intermediate string (the tax deduction parses dates of 500 persons x 12 months per page,
// decision 027). tests/unit/calendar checks they accept exactly what /^(\d{4})-(\d{2})$/ and
// /^(\d{4})-(\d{2})-(\d{2})$/ with the range checks accepted.
function tryParseMonth(s: string): YearMonth | null {
  if (typeof s !== "string" || s.length !== 7 || s.charCodeAt(4) !== 45) return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  return year >= 1 && month >= 1 && month <= 12 ? { year, month } : null;
}

function tryParseDate(s: string): YearMonthDay | null {
  if (typeof s !== "string" || s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function parseDate(s: string): YearMonthDay {
  const parsed = tryParseDate(s);
  if (!parsed) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(s)}`);
  return parsed;
}

function parseMonth(s: string): YearMonth {
  const parsed = tryParseMonth(s);
  if (!parsed) throw new RangeError(`Not a month (YYYY-MM): ${JSON.stringify(s)}`);
  return parsed;
}

/** Accepts a date or a month and returns its month. */
function parseDateOrMonth(s: string): YearMonth {
  return typeof s === "string" && s.length === 10 ? parseDate(s) : parseMonth(s);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function formatMonth({ year, month }: YearMonth): string {
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

/** Months since year 0, so that month arithmetic is plain integer arithmetic. */
function monthIndex({ year, month }: YearMonth): number {
  return year * 12 + (month - 1);
}

export function isValidDate(s: string): boolean {
  return tryParseDate(s) !== null;
}

export function isValidMonth(s: string): boolean {
  return tryParseMonth(s) !== null;
}

export function monthOf(date: string): string {
  return formatMonth(parseDate(date));
}

export function addMonths(month: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`Month offset must be an integer: ${n}`);
  const index = monthIndex(parseMonth(month)) + n;
  const result = { year: Math.floor(index / 12), month: (index % 12) + 1 };
  if (result.year < 1 || result.year > 9999) throw new RangeError(`Month out of range: ${month} + ${n}`);
  return formatMonth(result);
}

/** `to` minus `from`, in months (negative when `to` is earlier). */
export function monthsBetween(from: string, to: string): number {
  return monthIndex(parseMonth(to)) - monthIndex(parseMonth(from));
}

/** Every month from `from` to `to`, both included; empty when `from` is after `to`. */
export function monthRange(from: string, to: string): string[] {
  const count = monthsBetween(from, to) + 1;
  return Array.from({ length: Math.max(count, 0) }, (_, i) => addMonths(from, i));
}

/** The settlement year (1 July – 30 June) a date or month falls in, named by its starting year. */
export function settlementYearOf(dateOrMonth: string): number {
  const { year, month } = parseDateOrMonth(dateOrMonth);
  return month >= 7 ? year : year - 1;
}

/** The 12 months of a settlement year: 'YYYY-07' .. 'YYYY+1-06'. */
export function settlementYearMonths(year: number): string[] {
  if (!Number.isInteger(year) || year < 1 || year > 9998) throw new RangeError(`Not a settlement year: ${year}`);
  return monthRange(formatMonth({ year, month: 7 }), formatMonth({ year: year + 1, month: 6 }));
}

/**
 * Completed months of age on `onDate`. The monthly anniversary is the birth day of month, or the last
 * day of the month when that day does not exist (born on the 31st or on 29 February).
 */
export function ageInMonthsOn(birthDate: string, onDate: string): number {
  const birth = parseDate(birthDate);
  const on = parseDate(onDate);
  const months = monthIndex(on) - monthIndex(birth);
  const anniversaryDay = Math.min(birth.day, daysInMonth(on.year, on.month));
  return on.day >= anniversaryDay ? months : months - 1;
}

/** -1, 0 or 1 as `a` is before, equal to or after `b`. */
export function compareDates(a: string, b: string): number {
  const left = parseDate(a);
  const right = parseDate(b);
  return Math.sign(monthIndex(left) - monthIndex(right) || left.day - right.day);
}

export function dayOfMonth(date: string): number {
  return parseDate(date).day;
}

export function firstDayOfMonth(month: string): string {
  return `${formatMonth(parseMonth(month))}-01`;
}

/** Days since 0000-03-01 of the proleptic Gregorian calendar (civil-from-days, integers only). */
function dayNumber({ year, month, day }: YearMonthDay): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe;
}

function fromDayNumber(n: number): string {
  const era = Math.floor(n / 146097);
  const doe = n - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) throw new RangeError(`Date out of range: day ${n}`);
  return `${formatMonth({ year, month })}-${pad(day, 2)}`;
}

/** A number per date that orders dates as the calendar does (a day number), so that a date compared many times is
 *  parsed once. RangeError for anything but a valid YYYY-MM-DD. */
export function dateOrdinal(date: string): number {
  return dayNumber(parseDate(date));
}

/** A number per month that orders months as the calendar does. RangeError for anything but a valid YYYY-MM. */
export function monthOrdinal(month: string): number {
  return monthIndex(parseMonth(month));
}

/** `to` minus `from`, in days (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(parseDate(to)) - dayNumber(parseDate(from));
}

export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`Day offset must be an integer: ${n}`);
  return fromDayNumber(dayNumber(parseDate(date)) + n);
}

/** The same day `n` months later (or earlier), on the month's last day when that day does not exist. */
export function addMonthsToDate(date: string, n: number): string {
  const { day } = parseDate(date);
  const month = parseMonth(addMonths(monthOf(date), n));
  return `${formatMonth(month)}-${pad(Math.min(day, daysInMonth(month.year, month.month)), 2)}`;
}

/** The first and last day of a settlement year (1 July – 30 June), named by its starting year. */
export function settlementYearDates(year: number): { from: string; to: string } {
  const [first, , , , , , , , , , , last] = settlementYearMonths(year);
  return { from: `${first!}-01`, to: `${last!}-30` };
}
