// Text a client chooses that ends up in log lines and exchange records (purpose, sub, org): no control characters
// (NUL, line breaks, escapes), no bidirectional overrides, and not made only of invisible characters.
import { unauthenticated } from "../errors";

// C0/C1 controls and DEL (Cc); line/paragraph separators; bidi embeddings, overrides and isolates.
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
// Whitespace, format characters (zero-width spaces, joiners, BOM) and other default-ignorable code points.
const INVISIBLE = /^[\s\p{Cf}\p{Default_Ignorable_Code_Point}]*$/u;

export function isPrintableClaim(text: string): boolean {
  return !CONTROL.test(text) && !INVISIBLE.test(text);
}

/** UNAUTHENTICATED with the claim's name when the text holds a control character or nothing visible. */
export function refuseUnprintable(text: string, claim: "purpose" | "sub" | "org"): void {
  if (!isPrintableClaim(text))
    throw unauthenticated(`${claim} 含有控制字符或不可见字符 (${claim} has control or invisible characters)`);
}
