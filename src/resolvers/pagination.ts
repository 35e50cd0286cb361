// Page arguments shared by the connections (account entries, exchangeLog, myDataAccess). A cursor names a row id
// (a PostgreSQL bigint): one that decodes to a number beyond bigint is refused here as BAD_USER_INPUT, before
// the database would fail on it (it used to answer INTERNAL_SERVER_ERROR).
import { badInput } from "../errors";

const BIGINT_MAX = 9223372036854775807n;

export function checkCursorRange(after: string | null | undefined): void {
  if (!after) return;
  const match = /^[a-z]:(\d{1,40})$/.exec(Buffer.from(after, "base64url").toString());
  if (match && BigInt(match[1]!) > BIGINT_MAX) throw badInput("分页游标无效 invalid cursor", "after");
}
