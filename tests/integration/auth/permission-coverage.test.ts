// Deny by default, in one place: every root field must be named in ROOT_PERMISSIONS, and the table may
// not name a field the schema does not have (a renamed operation would otherwise silently lose its rule).
import "reflect-metadata";

import { ROOT_PERMISSIONS } from "../../../src/auth/permissions";
import { Role } from "../../../src/auth/role";
import { buildBareSchema } from "../../../src/graphql/build-schema";

const schema = buildBareSchema();
const rootFields = {
  Query: Object.keys(schema.getQueryType()?.getFields() ?? {}),
  Mutation: Object.keys(schema.getMutationType()?.getFields() ?? {}),
} as const;

describe("permission coverage", () => {
  it.each(["Query", "Mutation"] as const)("gives every %s field an explicit entry in ROOT_PERMISSIONS", (type) => {
    const missing = rootFields[type].filter((field) => !Object.hasOwn(ROOT_PERMISSIONS[type], field));
    expect(missing).toEqual([]);
  });

  it.each(["Query", "Mutation"] as const)("names no %s field that the schema does not have", (type) => {
    const unknown = Object.keys(ROOT_PERMISSIONS[type]).filter((field) => !rootFields[type].includes(field));
    expect(unknown).toEqual([]);
  });

  it("has no other root type in ROOT_PERMISSIONS and no subscriptions in the schema", () => {
    expect(Object.keys(ROOT_PERMISSIONS).sort()).toEqual(["Mutation", "Query"]);
    expect(schema.getSubscriptionType()).toBeFalsy();
  });

  it("lists only real roles, at least one per field, each at most once", () => {
    const roles = Object.values(Role) as string[];
    for (const [type, fields] of Object.entries(ROOT_PERMISSIONS)) {
      for (const [field, allowed] of Object.entries(fields)) {
        const where = `${type}.${field}`;
        expect({ where, empty: allowed.length === 0 }).toEqual({ where, empty: false });
        expect({ where, unknown: allowed.filter((r) => !roles.includes(r)) }).toEqual({ where, unknown: [] });
        expect({ where, duplicates: allowed.length - new Set(allowed).size }).toEqual({ where, duplicates: 0 });
      }
    }
  });
});
