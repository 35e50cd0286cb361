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

type Cost = { idNumbers: number; pageItems: number };

/**
 * What a selection set asks for, fragments expanded (each spread counts its fragment again). A fragment's cost is
 * computed once and remembered: expanding every spread path took 2^n steps for n fragments that each spread the next
 * one twice (a document of a few hundred characters blocked the process). Cycles are invalid (NoFragmentCycles).
 */
function costOf(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Variables,
  memo: Map<string, Cost>,
  depth = 0,
): Cost {
  const cost: Cost = { idNumbers: 0, pageItems: 0 };
  if (!set || depth > 64) return cost;
  const add = (c: Cost) => {
    cost.idNumbers += c.idNumbers;
    cost.pageItems += c.pageItems;
  };
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      add(fieldCost(sel, variables));
      add(costOf(sel.selectionSet, fragments, variables, memo, depth + 1));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      add(costOf(sel.selectionSet, fragments, variables, memo, depth + 1));
    } else {
      const name = sel.name.value;
      let fragment = memo.get(name);
      if (!fragment) {
        memo.set(name, { idNumbers: 0, pageItems: 0 }); // a cycle counts nothing (and fails validation)
        fragment = costOf(fragments[name]?.selectionSet, fragments, variables, memo, depth + 1);
        memo.set(name, fragment);
      }
      add(fragment);
    }
  }
  return cost;
}

function fieldCost(field: FieldNode, variables: Variables): Cost {
  const args = field.arguments ?? [];
  const ids = args.find((a) => a.name.value === "idNumbers");
  const first = args.find((a) => a.name.value === "first");
  return {
    idNumbers: ids ? itemCount(ids.value, variables) : 0,
    pageItems: first
      ? Math.max(0, intValue(first.value, variables) ?? REQUEST_LIMITS.defaultPage)
      : PAGED_FIELDS.has(field.name.value)
        ? REQUEST_LIMITS.defaultPage
        : 0,
  };
}

export function requestCost(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Variables,
): Cost {
  return costOf(operation.selectionSet, fragments, variables, new Map());
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
