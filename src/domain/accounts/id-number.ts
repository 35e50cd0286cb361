/**
 * Resident ID numbers (GB 11643-1999): 6-digit area code, 8-digit birth date, 3-digit sequence
 * (odd = male) and an ISO 7064 MOD 11-2 check character.
 */
import { isValidDate } from "../calendar/calendar";

export interface ParsedIdNumber {
  idNumber: string;
  areaCode: string;
  birthDate: string;
  sex: "M" | "F";
}

export type ParseIdNumberResult =
  { ok: true; value: ParsedIdNumber } | { ok: false; reason: "FORMAT" | "BIRTH_DATE" | "CHECK_CHARACTER" };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = "10X98765432";
const EARLIEST_BIRTH_YEAR = 1900;

/** The check character for the first 17 digits. */
export function checkCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError("checkCharacter needs exactly 17 digits");
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(first17[i]), 0);
  return CHECK_CHARACTERS.charAt(sum % 11);
}

/** Validates an ID number; a lower-case check character x is accepted and returned upper-case. */
export function parseIdNumber(raw: string): ParseIdNumberResult {
  if (typeof raw !== "string" || !/^\d{17}[\dXx]$/.test(raw)) return { ok: false, reason: "FORMAT" };
  const idNumber = raw.toUpperCase();
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  if (!isValidDate(birthDate) || Number(idNumber.slice(6, 10)) < EARLIEST_BIRTH_YEAR) {
    return { ok: false, reason: "BIRTH_DATE" };
  }
  if (checkCharacter(idNumber.slice(0, 17)) !== idNumber.charAt(17)) {
    return { ok: false, reason: "CHECK_CHARACTER" };
  }
  const sex = Number(idNumber.charAt(16)) % 2 === 1 ? "M" : "F";
  return { ok: true, value: { idNumber, areaCode: idNumber.slice(0, 6), birthDate, sex } };
}

/** First 6 and last 4 characters with 8 asterisks between; anything not 18 long is masked entirely. */
export function maskIdNumber(id: string): string {
  if (id.length !== 18) return "*".repeat(id.length);
  return `${id.slice(0, 6)}********${id.slice(14).toUpperCase()}`;
}

/** Builds a valid ID number (for tests and demo data). */
export function makeIdNumber(areaCode: string, birthDate: string, sequence: number): string {
  if (!/^\d{6}$/.test(areaCode)) throw new RangeError(`Area code must be 6 digits: ${areaCode}`);
  if (!isValidDate(birthDate)) throw new RangeError(`Not a calendar date: ${birthDate}`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 999) {
    throw new RangeError(`Sequence must be an integer 0..999: ${sequence}`);
  }
  const first17 = `${areaCode}${birthDate.replace(/-/g, "")}${String(sequence).padStart(3, "0")}`;
  return first17 + checkCharacter(first17);
}
