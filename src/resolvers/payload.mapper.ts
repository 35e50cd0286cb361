// Maps a service outcome onto a mutation payload: the result's fields, or nulls with userErrors.
import type { Outcome } from "../services/idempotency";
import type { UserErrorDto } from "../services/user-error";

export function payload<T, P extends object>(
  outcome: Outcome<T>,
  ok: (value: T) => P,
  empty: { [K in keyof P]: P[K] | null | [] },
): { [K in keyof P]: P[K] | null | [] } & { userErrors: UserErrorDto[] } {
  return "ok" in outcome ? { ...ok(outcome.ok), userErrors: [] } : { ...empty, userErrors: outcome.userErrors };
}
