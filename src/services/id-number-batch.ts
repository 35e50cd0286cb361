// The ID-number lists agencies send (taxDeductions, rentalEligibility): at most 500 per call; an empty list is
// answered with an empty list. Answers follow the list as asked, so a duplicate is answered as often as it is asked;
// the database is asked about each distinct ID number once.
import { badInput } from "../errors";

export const MAX_ID_NUMBERS_PER_CALL = 500;

/** The distinct ID numbers of a batch, or BAD_USER_INPUT when the batch is too large. */
export function distinctIdNumbers(idNumbers: readonly string[]): string[] {
  if (idNumbers.length > MAX_ID_NUMBERS_PER_CALL) {
    throw badInput(
      `一次最多查询 ${MAX_ID_NUMBERS_PER_CALL} 个身份证号，本次 ${idNumbers.length} 个 (at most ${MAX_ID_NUMBERS_PER_CALL} ID numbers per call)`,
      "idNumbers",
    );
  }
  return [...new Set(idNumbers)];
}
