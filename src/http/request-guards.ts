// Checks on a GraphQL HTTP request that run before Apollo parses anything, so that any request costs bounded
// memory and time before authentication: the contract's 100,000-character document limit, a bounded nesting of
// the variables JSON, no invalid UTF-8. (Apollo then parses with a token limit: see PARSE_MAX_TOKENS.)
export const GRAPHQL_LIMITS = {
  /** The contract: "the query document itself is at most 100,000 characters". */
  maxDocumentChars: 100_000,
  /** graphql-js parse(..., { maxTokens }): far above any real operation of the contract (introspection ~1,000). */
  parseMaxTokens: 10_000,
  /** Variables nest at most this deep (the deepest input of the contract nests 3 levels). */
  maxVariablesDepth: 16,
} as const;

export interface RequestProblem {
  status: number;
  code: "BAD_USER_INPUT";
  message: string;
}

const problem = (status: number, message: string): RequestProblem => ({ status, code: "BAD_USER_INPUT", message });

/** Strict UTF-8: a body with invalid byte sequences is refused rather than silently turned into U+FFFD. */
export function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The deepest nesting of a parsed JSON value, walked without recursion (a hostile value may nest 100,000 deep). */
export function jsonDepth(value: unknown, stopAt: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > stopAt) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** A problem with the document or variables of one GraphQL request (POST body or GET query string), or null. */
export function graphqlRequestProblem(body: unknown, search: URLSearchParams): RequestProblem | null {
  const fromBody = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const query = typeof body === "string" ? body : (fromBody.query ?? search.get("query"));
  if (typeof query === "string" && query.length > GRAPHQL_LIMITS.maxDocumentChars)
    return problem(
      413,
      `查询文档过长：${query.length} 个字符，上限 ${GRAPHQL_LIMITS.maxDocumentChars}（大数据请放在 variables 中） (document too long)`,
    );
  let variables = fromBody.variables;
  const inSearch = search.get("variables");
  if (variables === undefined && inSearch) {
    try {
      variables = JSON.parse(inSearch) as unknown;
    } catch {
      return null; // Apollo answers malformed variables itself
    }
  }
  if (jsonDepth(variables, GRAPHQL_LIMITS.maxVariablesDepth) > GRAPHQL_LIMITS.maxVariablesDepth)
    return problem(400, `variables 嵌套过深，上限 ${GRAPHQL_LIMITS.maxVariablesDepth} 层 (variables nested too deep)`);
  return null;
}
