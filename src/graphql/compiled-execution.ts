// Compiled execution (graphql-jit) for the queries the hub sees often (decision 023). Apollo still parses, validates
// (the depth, alias and root-field limits of decision 007 included; once per distinct document, in its document
// store), runs every plugin (request cost, exchange log, metrics, error log) and formats the errors; only the
// execution step is replaced, through Apollo's gateway hook, which hands us the validated document.
//
// A query document is compiled the second time it is seen (a one-off document never pays for a compilation) and kept
// in an LRU keyed by the document's hash and the operation name. Mutations are compiled too (decision 036):
// graphql-jit runs a mutation's root fields one after another, each to completion before the next starts, as
// graphql-js does, and each root field keeps its own transaction (the resolvers open them, not the executor).
// Everything else runs on graphql-js exactly as before: subscriptions (the hub has none), introspection, documents
// graphql-jit declines to compile, documents that write a Money value as a literal (`hasObjectScalarLiteral`), and
// requests whose variables do not coerce (their errors are graphql-js's own, word for word: Apollo turns them into
// BAD_USER_INPUT and HTTP 400; graphql-jit's own coercion, which runs first, only decides that they do not).
//
// graphql-shield is applied to the schema (graphql-middleware wraps the root fields' resolvers), so compiled queries
// run the same permission rules: graphql-jit calls each field's `resolve` as graphql-js does.
import type { ApolloServerOptionsWithGateway } from "@apollo/server";
import {
  BREAK,
  type DocumentNode,
  execute,
  type ExecutionResult,
  getNamedType,
  GraphQLError,
  type GraphQLSchema,
  isScalarType,
  isSpecifiedScalarType,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  type ValueNode,
  visit,
  visitWithTypeInfo,
} from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import { LRUCache } from "lru-cache";

type Gateway = ApolloServerOptionsWithGateway<never>["gateway"];

export const COMPILED_EXECUTION = {
  /** Distinct (document, operation) pairs kept compiled. */
  maxCompiled: 500,
  /** A document is compiled once it has been seen this many times. */
  compileAfter: 2,
} as const;

/** What the hub knows about one (document, operation): seen so far, then compiled or not compilable. */
interface Entry {
  seen: number;
  compiled?: CompiledQuery | "declined";
}

export interface CompiledExecutionStats {
  compiled: number;
  declined: number;
  /** Requests executed by compiled code / by graphql-js. */
  jit: number;
  reference: number;
}

/**
 * graphql-jit's errors are its own objects (read-only properties, no `extensions` when the thrown error had none),
 * which Apollo's error formatting cannot enrich: each becomes a graphql-js GraphQLError with the same message,
 * path, locations and original error (whose extensions, the hub's error codes, it takes over), as graphql-js makes.
 */
function asGraphQLError(e: GraphQLError): GraphQLError {
  const error = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined });
  if (e.locations) (error as { locations?: GraphQLError["locations"] }).locations = e.locations;
  return error;
}

async function normalized(result: ExecutionResult | Promise<ExecutionResult>): Promise<ExecutionResult> {
  const r = await result;
  return r.errors ? { ...r, errors: r.errors.map(asGraphQLError) } : r;
}

/** graphql-jit's answer to variables that do not coerce: synchronous, errors and no `data` (nothing ran). */
function refusedVariables(result: ExecutionResult | Promise<ExecutionResult>): boolean {
  return !(result instanceof Promise) && !("data" in result) && (result.errors?.length ?? 0) > 0;
}

function isIntrospection(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value.startsWith("__"));
}

/**
 * Whether the document writes, as a literal in its text, a value of one of the hub's own scalars that parses to an
 * object (Money parses to a Decimal). graphql-jit parses such a literal once, when it compiles, and writes the parsed
 * value into the generated code as JSON, so the resolver would get a plain string (an internal error at best).
 * Those documents run on graphql-js. Literals that parse to strings (Date, YearMonth, IdNumber) survive JSON and stay
 * compiled; variables are parsed per request by both executors and are unaffected.
 */
export function hasObjectScalarLiteral(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  const check = (node: ValueNode) => {
    const type = typeInfo.getInputType();
    const named = type ? getNamedType(type) : undefined;
    if (node.kind === Kind.VARIABLE || !named || !isScalarType(named) || isSpecifiedScalarType(named)) return undefined;
    let parsed: unknown;
    try {
      parsed = named.parseLiteral(node, undefined);
    } catch {
      parsed = undefined; // refused by validation already; nothing to compile for
    }
    if (parsed !== null && !["string", "number", "boolean"].includes(typeof parsed)) {
      found = true;
      return BREAK;
    }
    return undefined;
  };
  // Leaves only: the items of a list literal and the fields of an object literal are visited with their own input type
  // (checking the list node itself against its item scalar would refuse every list, e.g. of ID numbers).
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      StringValue: check,
      IntValue: check,
      FloatValue: check,
      BooleanValue: check,
      EnumValue: check,
    }),
  );
  return found;
}

export interface CompiledExecution {
  gateway: Gateway;
  stats: CompiledExecutionStats;
}

/** An Apollo gateway that serves `schema` and executes often-seen queries with graphql-jit. */
export function compiledExecution(
  schema: GraphQLSchema,
  options: { maxCompiled?: number; compileAfter?: number } = {},
): CompiledExecution {
  const compileAfter = options.compileAfter ?? COMPILED_EXECUTION.compileAfter;
  const entries = new LRUCache<string, Entry>({ max: options.maxCompiled ?? COMPILED_EXECUTION.maxCompiled });
  const stats: CompiledExecutionStats = { compiled: 0, declined: 0, jit: 0, reference: 0 };

  const reference = async (
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    contextValue: unknown,
  ): Promise<ExecutionResult> => {
    stats.reference++;
    return execute({ schema, document, contextValue, variableValues: variables, operationName });
  };

  const compiledFor = (key: string, document: DocumentNode, operationName: string | undefined) => {
    let entry = entries.get(key);
    if (!entry) {
      entry = { seen: 0 };
      entries.set(key, entry);
    }
    entry.seen++;
    if (entry.compiled === undefined && entry.seen >= compileAfter) {
      let compiled: CompiledQuery | ExecutionResult | undefined;
      try {
        compiled = hasObjectScalarLiteral(schema, document) ? undefined : compileQuery(schema, document, operationName);
      } catch {
        compiled = undefined;
      }
      if (compiled && isCompiledQuery(compiled)) {
        entry.compiled = compiled;
        stats.compiled++;
      } else {
        entry.compiled = "declined";
        stats.declined++;
      }
    }
    return entry.compiled === "declined" ? undefined : entry.compiled;
  };

  const gateway: Gateway = {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => undefined;
    },
    async load() {
      return {
        executor: async (rc) => {
          const { document, operation, context } = rc;
          const variables = rc.request.variables;
          const operationName = rc.request.operationName ?? undefined;
          if (operation.operation === "subscription" || isIntrospection(operation))
            return reference(document, variables, operationName, context);
          const compiled = compiledFor(`${rc.queryHash}\u0000${operationName ?? ""}`, document, operationName);
          if (!compiled) return reference(document, variables, operationName, context);
          // graphql-jit coerces the variables before it runs anything and answers a refusal at once with errors and no
          // `data` (an execution always has `data`). A refusal is then answered by graphql-js, so that it keeps
          // graphql-js's exact error (and Apollo's 400). Coercing with graphql-js first as well, on every request,
          // was a measurable share of a lookup's CPU (decision 031).
          const result = compiled.query(undefined, context, variables ?? {});
          if (refusedVariables(result)) return reference(document, variables, operationName, context);
          stats.jit++;
          return normalized(result);
        },
      };
    },
    async stop() {},
  };
  return { gateway, stats };
}
