import { MoneyFormatError, moneyText, type MoneyValue, parseMoney } from "../../domain/money/money";
import { stringScalar } from "./scalar-factory";

/** Money in yuan: a decimal string with exactly two decimals, on output and on input ("1000" and "1000.5" are refused). */
export const MoneyScalar = stringScalar<MoneyValue>({
  name: "Money",
  description:
    'Money in yuan: a decimal string with exactly two decimals, e.g. "1234.50". Never a float. 金额（元），两位小数的字符串。',
  problem: 'expected a decimal string with exactly 2 decimals, e.g. "1234.50"',
  parse: (text) => {
    try {
      return parseMoney(text);
    } catch (e) {
      if (e instanceof MoneyFormatError) return null;
      throw e;
    }
  },
  serialize: (value) => moneyText(value as string),
});
