import { isValidDate, isValidMonth } from "../../domain/calendar/calendar";
import { stringScalar } from "./scalar-factory";

export const DateScalar = stringScalar<string>({
  name: "Date",
  description: "A calendar date in Asia/Shanghai, YYYY-MM-DD. 日期（北京时间）。",
  problem: "expected a calendar date YYYY-MM-DD",
  parse: (text) => (isValidDate(text) && text >= "1900-01-01" && text <= "2199-12-31" ? text : null),
  serialize: (value) => String(value),
});

export const YearMonthScalar = stringScalar<string>({
  name: "YearMonth",
  description: "A month, YYYY-MM. 年月。",
  problem: "expected a month YYYY-MM",
  parse: (text) => (isValidMonth(text) && text >= "1900-01" && text <= "2199-12" ? text : null),
  serialize: (value) => String(value),
});
