// Looks one level into what a query asks of a field's result, so that a resolver can read in one statement what its
// child fields need and no more (decision 027: `account { entries }` in one statement, `account { name balance }`
// without the computed fields). Only a hint: the child fields' resolvers still validate their own arguments and read
// whatever was not read for them.
import {
  type FieldNode,
  getNamedType,
  type GraphQLResolveInfo,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from "graphql";
import { getArgumentValues } from "graphql/execution/values";

/**
 * The selections directly under this resolver's field, by field name, through fragments and inline fragments.
 * Directives (@skip/@include) are not evaluated: a skipped selection still counts, which only means reading more.
 */
export function childSelections(info: GraphQLResolveInfo): Map<string, FieldNode[]> {
  const found = new Map<string, FieldNode[]>();
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, depth: number): void => {
    if (!set || depth > 16) return;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const list = found.get(selection.name.value);
        if (list) list.push(selection);
        else found.set(selection.name.value, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, depth + 1);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet, depth + 1);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 0);
  return found;
}

/** The arguments (coerced, defaults applied) of a child field's selection; null when they do not coerce. */
export function childArguments(
  info: GraphQLResolveInfo,
  child: string,
  node: FieldNode,
): Record<string, unknown> | null {
  const type = getNamedType(info.returnType);
  const definition = isObjectType(type) ? type.getFields()[child] : undefined;
  if (!definition) return null;
  try {
    return getArgumentValues(definition, node, info.variableValues);
  } catch {
    return null; // the child's own resolution reports them
  }
}
