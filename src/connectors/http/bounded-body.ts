// Reads an agency's answer with a size limit, counting bytes as they stream in: a body over the limit is
// cancelled at that point, never buffered whole.

/** The body as text, or null when it is (or announces to be) larger than maxBytes. */
export async function readBodyWithin(response: Response, maxBytes: number): Promise<string | null> {
  const announced = Number(response.headers.get("content-length"));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
