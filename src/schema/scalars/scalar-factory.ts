// Builds the string-based scalars of the contract: each parses strictly and refuses anything else with BAD_USER_INPUT.
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

export function stringScalar<T>(options: {
  name: string;
  description: string;
  parse: (text: string) => T | null;
  serialize: (value: unknown) => string;
  problem: string;
}): GraphQLScalarType<T, string> {
  const parse = (value: unknown): T => {
    const parsed = typeof value === "string" && value.length <= 64 ? options.parse(value) : null;
    if (parsed === null) {
      throw new GraphQLError(`${options.name}: ${options.problem}`, { extensions: { code: "BAD_USER_INPUT" } });
    }
    return parsed;
  };
  return new GraphQLScalarType<T, string>({
    name: options.name,
    description: options.description,
    serialize: options.serialize,
    parseValue: parse,
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING) {
        throw new GraphQLError(`${options.name}: ${options.problem}`, { extensions: { code: "BAD_USER_INPUT" } });
      }
      return parse(ast.value);
    },
  });
}
