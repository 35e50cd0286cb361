import { parseIdNumber } from "../../domain/accounts/id-number";
import { stringScalar } from "./scalar-factory";

export const IdNumberScalar = stringScalar<string>({
  name: "IdNumber",
  description: "An 18-character resident ID number (GB 11643-1999) with a valid check character. 居民身份证号码。",
  problem: "expected an 18-character resident ID number with a valid check character",
  parse: (text) => {
    const parsed = parseIdNumber(text);
    return parsed.ok ? parsed.value.idNumber : null;
  },
  serialize: (value) => String(value),
});
