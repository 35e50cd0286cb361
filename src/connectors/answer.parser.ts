import type { z } from "zod";

import { ConnectorResponseError } from "./connector.errors";

/**
 * Validates an agency answer against its schema. On failure the error names the offending paths and
 * issue codes only: zod issues can echo the received values, which may be personal data.
 */
export function parseAnswer<S extends z.ZodTypeAny>(connector: string, schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data as z.output<S>;
  const where = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(root)"} (${issue.code})`)
    .join(", ");
  throw new ConnectorResponseError(connector, `${connector} answer does not match the schema at ${where}`);
}
