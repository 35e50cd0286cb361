// Below the root fields, a field is read straight off its parent (GraphQL's default resolver, which graphql-jit
// compiles into a property read) unless a @FieldResolver computes it. type-graphql otherwise wraps every field of an
// object type in a resolver of its own, which the compiled execution must call with a resolve info for each value: a
// tax page of 500 answers made 6,280 such calls (decision 056). Every @ObjectType says `simpleResolvers: true`; this
// walk fails when one does not. (The integration suites read every such field end to end.)
import "reflect-metadata";

import { isObjectType } from "graphql";
import { getMetadataStorage } from "type-graphql";

import { buildBareSchema } from "../../../src/graphql/build-schema";

describe("object types below the roots", () => {
  const schema = buildBareSchema();

  it("resolve a field only where a @FieldResolver computes it", () => {
    const computed = new Set(
      getMetadataStorage().fieldResolvers.map((r) => `${r.getObjectType?.()?.name ?? "?"}.${r.schemaName}`),
    );
    const wrapped: string[] = [];
    const resolved: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      if (type === schema.getQueryType() || type === schema.getMutationType()) continue;
      for (const [name, field] of Object.entries(type.getFields())) {
        if (!field.resolve) continue;
        const key = `${type.name}.${name}`;
        if (computed.has(key)) resolved.push(key);
        else wrapped.push(key);
      }
    }
    expect(wrapped).toEqual([]);
    // The computed fields keep their resolvers (written by hand: a field resolver lost would answer null or the raw
    // parent property).
    expect(resolved.sort()).toEqual(["Account.bans", "Account.entries", "Account.loans", "Loan.schedule"]);
  });
});
