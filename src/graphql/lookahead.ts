// Looks one level into what a query asks of a field's result, so that a resolver can read a child field's data in
// its own statement (decision 027: `account { entries }` in one statement). Only a hint: whatever it finds or misses,
// the child field's resolver still validates its arguments and reads what was not read for it.
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
 * The arguments (coerced, defaults applied) of each selection of `child` directly under this resolver's field,
 * through fragments and inline fragments; an empty list when it is not asked (or its arguments do not coerce).
 * Directives (@skip/@include) are not evaluated: a skipped selection still counts, which only means reading more.
 */
export function childFieldArguments(info: GraphQLResolveInfo, child: string): Record<string, unknown>[] {
  const type = getNamedType(info.returnType);
  if (!isObjectType(type)) return [];
  const definition = type.getFields()[child];
  if (!definition) return [];
  const found: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, depth: number): void => {
    if (!set || depth > 16) return;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === child) {
          try {
            found.push(getArgumentValues(definition, selection as FieldNode, info.variableValues));
          } catch {
            // Arguments that do not coerce: the child's own resolution reports them.
          }
        }
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
