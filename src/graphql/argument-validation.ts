// Validation of GraphQL arguments against their class-validator decorators, as type-graphql's built-in
// `validate: { forbidUnknownValues: false }` does it (type-graphql 2.0.0-rc.4 resolvers/validate-arg.js: objects and
// arrays of objects only, missing properties skipped, unknown values allowed, failures as ArgumentValidationError),
// but with class-validator imported once. The built-in path `require`s class-validator again on every argument it
// validates: module resolution was 2.6 % of the hub's busy time in the recordDeposit profile (decision 030).
import { validateOrReject, type ValidationError, type ValidatorOptions } from "class-validator";
import { ArgumentValidationError } from "type-graphql";

const OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

const isObject = (value: unknown): value is object => value !== null && typeof value === "object";

export async function validateArgument(value: unknown): Promise<void> {
  if (!isObject(value)) return;
  try {
    if (Array.isArray(value)) await Promise.all(value.filter(isObject).map((item) => validateOrReject(item, OPTIONS)));
    else await validateOrReject(value, OPTIONS);
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
}
