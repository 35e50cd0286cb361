// Validation rules that bound the work one document can ask for: nesting depth, aliases, and root fields.
// (List sizes are bounded where lists are taken: `first` arguments, ID batches, file sizes.)
import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";

export const LIMITS = { maxDepth: 10, maxAliases: 30, maxRootFields: 20 } as const;

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/**
 * The deepest field nesting of a selection set, fragments expanded. Each fragment's depth is computed once and
 * remembered: walking every spread path instead took 2^n steps for n fragments that each spread the next one twice
 * (22 such fragments, under 900 characters, blocked the process for over a minute; issue 11 follow-up).
 */
function depthOf(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  memo: Map<string, number>,
  active: Set<string>,
): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith("__")) continue;
      max = Math.max(max, 1 + depthOf(sel.selectionSet, fragments, memo, active));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, memo, active));
    } else {
      const name = sel.name.value;
      if (active.has(name)) continue; // cycles are reported by the standard NoFragmentCycles rule
      let depth = memo.get(name);
      if (depth === undefined) {
        active.add(name);
        depth = depthOf(fragments[name]?.selectionSet, fragments, memo, active);
        active.delete(name);
        memo.set(name, depth);
      }
      max = Math.max(max, depth);
    }
  }
  return max;
}

export function depthLimitRule(maxDepth = LIMITS.maxDepth) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const def of context.getDocument().definitions)
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, fragments, new Map(), new Set());
        if (depth > maxDepth)
          context.reportError(limitError(`查询嵌套过深：${depth} 层，上限 ${maxDepth} (query too deep)`));
        const roots = node.selectionSet.selections.length;
        if (roots > LIMITS.maxRootFields)
          context.reportError(limitError(`一次请求的根字段过多：${roots}，上限 ${LIMITS.maxRootFields}`));
      },
    };
  };
}

export function aliasLimitRule(maxAliases = LIMITS.maxAliases) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias && ++aliases === maxAliases + 1) {
          context.reportError(limitError(`别名过多，上限 ${maxAliases} (too many aliases)`));
        }
      },
    };
  };
}
