// Label values of /metrics come from closed sets: the server's routes and the schema's root fields. A client's
// paths, operation names and aliases never become label values (they would grow the number of series).
import { type OperationDefinitionNode, parse } from "graphql";

import { operationLabel, routeLabel } from "../../../src/http/prometheus";

const op = (doc: string) => parse(doc).definitions[0] as OperationDefinitionNode;

describe("routeLabel", () => {
  it("names the hub's routes and folds every other path into 'other'", () => {
    expect(routeLabel("/graphql")).toBe("/graphql");
    expect(routeLabel("/metrics")).toBe("/metrics");
    expect(routeLabel("/imports/bank-collection")).toBe("/imports/bank-collection");
    expect(routeLabel("/graphiql/assets/graphiql.js")).toBe("/graphiql");
    expect(routeLabel("/dashboard/app.js")).toBe("/dashboard");
    expect(routeLabel("/wp-admin/setup.php")).toBe("other");
    expect(routeLabel("/graphql/")).toBe("other");
  });
});

describe("operationLabel", () => {
  it("is the one root field, whatever the client calls the operation or aliases the field", () => {
    expect(operationLabel(op(`query Anything { account(accountNumber: "1") { balance } }`))).toBe("account");
    expect(operationLabel(op(`mutation { x: recordDeposit(input: {}) { userErrors { code } } }`))).toBe(
      "recordDeposit",
    );
    expect(operationLabel(op(`{ account(accountNumber: "1") { balance } __typename }`))).toBe("account");
    expect(
      operationLabel(op(`{ a: account(accountNumber: "1") { balance } b: account(accountNumber: "2") { balance } }`)),
    ).toBe("account");
  });

  it("says (multiple) for several root fields or fragments at the root, (invalid) when nothing validated", () => {
    expect(operationLabel(op(`{ account(accountNumber: "1") { balance } pilotMetrics { x } }`))).toBe("(multiple)");
    expect(operationLabel(op(`{ ...F } fragment F on Query { account(accountNumber: "1") { balance } }`))).toBe(
      "(multiple)",
    );
    expect(operationLabel(undefined)).toBe("(invalid)");
  });
});
