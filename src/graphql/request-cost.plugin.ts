// Limits that hold per request, across aliases and fragments, checked once the operation and its variables are
// known and before anything runs: at most 500 ID numbers in all, and at most 1,000 page items (the sum of every
// `first`, its default when absent). A refused request runs nothing; its exchange record says so (outcome ERROR).
import type { ApolloServerPlugin } from "@apollo/server";
import {
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

import type { HubContext } from "../context";
import { HubError } from "../errors";
import { MAX_ID_NUMBERS_PER_CALL } from "../services/id-number-batch";

export const REQUEST_LIMITS = { maxIdNumbers: MAX_ID_NUMBERS_PER_CALL, maxPageItems: 1000, defaultPage: 50 } as const;

/** Connections whose `first` defaults to 50 when a client leaves it out. */
const PAGED_FIELDS = new Set(["entries", "exchangeLog", "myDataAccess"]);

type Variables = Record<string, unknown>;

/** How many items an argument value holds: a list counts its items, a single value counts one. */
function itemCount(value: ValueNode, variables: Variables): number {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return Array.isArray(given) ? given.length : given == null ? 0 : 1;
  }
  return value.kind === Kind.NULL ? 0 : 1;
}

function intValue(value: ValueNode, variables: Variables): number | null {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return typeof given === "number" ? given : null;
  }
  return null;
}

/** Every field the operation selects, fragments expanded (each fragment once per spread; cycles are invalid). */
function* fieldsOf(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  depth = 0,
): Generator<FieldNode> {
  if (!set || depth > 64) return;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      yield sel;
      yield* fieldsOf(sel.selectionSet, fragments, depth + 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      yield* fieldsOf(sel.selectionSet, fragments, depth + 1);
    } else {
      yield* fieldsOf(fragments[sel.name.value]?.selectionSet, fragments, depth + 1);
    }
  }
}

export function requestCost(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Variables,
): { idNumbers: number; pageItems: number } {
  let idNumbers = 0;
  let pageItems = 0;
  for (const field of fieldsOf(operation.selectionSet, fragments)) {
    const args = field.arguments ?? [];
    const ids = args.find((a) => a.name.value === "idNumbers");
    if (ids) idNumbers += itemCount(ids.value, variables);
    const first = args.find((a) => a.name.value === "first");
    if (first) pageItems += Math.max(0, intValue(first.value, variables) ?? REQUEST_LIMITS.defaultPage);
    else if (PAGED_FIELDS.has(field.name.value)) pageItems += REQUEST_LIMITS.defaultPage;
  }
  return { idNumbers, pageItems };
}

const refused = (message: string) => new HubError("BAD_USER_INPUT", message, { http: { status: 400 } });

export function requestCostPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const def of document.definitions)
            if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
          const cost = requestCost(operation, fragments, request.variables ?? {});
          if (cost.idNumbers > REQUEST_LIMITS.maxIdNumbers)
            throw refused(
              `一次请求最多查询 ${REQUEST_LIMITS.maxIdNumbers} 个身份证号（所有字段和别名合计），本次 ${cost.idNumbers} 个 (at most ${REQUEST_LIMITS.maxIdNumbers} ID numbers per request)`,
            );
          if (cost.pageItems > REQUEST_LIMITS.maxPageItems)
            throw refused(
              `一次请求最多取 ${REQUEST_LIMITS.maxPageItems} 条分页记录（所有 first 合计），本次 ${cost.pageItems} 条 (at most ${REQUEST_LIMITS.maxPageItems} page items per request)`,
            );
        },
      };
    },
  };
}
