// The pre-pilot export reader: typed rows or typed problems by line, a bounded record size and row count.
import { makeIdNumber } from "../../../src/domain/accounts/id-number";
import {
  isLegacyProblem,
  LEGACY_FILE_HEADER,
  legacyRowOf,
  readLegacyRows,
} from "../../../src/services/accounts/legacy-accounts.csv";

const HEADER = LEGACY_FILE_HEADER.join(",");
const ID = makeIdNumber("140525", "1985-04-12", 123);
/** The same number with another check character: invalid. */
const BAD_ID = `${ID.slice(0, 17)}${ID.endsWith("0") ? "1" : "0"}`;

async function read(text: string, maxRows?: number) {
  const out = [];
  for await (const row of readLegacyRows(text, maxRows)) out.push(row);
  return out;
}

describe("legacy account export", () => {
  test("reads a row into typed fields (money as Decimal, the ID number parsed)", () => {
    const row = legacyRowOf(
      ["1405009000000001", ID, "李四", "140525", "2019-03", "2023-05", "51", "18234.56", "SEALED"],
      2,
    );
    expect(isLegacyProblem(row)).toBe(false);
    expect(row).toMatchObject({
      line: 2,
      accountNumber: "1405009000000001",
      idNumber: ID,
      birthDate: "1985-04-12",
      paidMonths: 51,
      openedMonth: "2019-03",
      paidUpTo: "2023-05",
    });
    expect(!isLegacyProblem(row) && row.balance.toFixed(2)).toBe("18234.56");
  });

  test.each([
    [["14050090000001", ID, "李四", "140525", "2019-03", "2023-05", "51", "1.00", "SEALED"], "INVALID_ACCOUNT_NUMBER"],
    [["1405009000000001", BAD_ID, "李四", "140525", "2019-03", "2023-05", "51", "1.00", "SEALED"], "INVALID_ID_NUMBER"],
    [["1405009000000001", ID, "", "140525", "2019-03", "2023-05", "51", "1.00", "SEALED"], "INVALID_NAME"],
    [["1405009000000001", ID, "李四", "1405", "2019-03", "2023-05", "51", "1.00", "SEALED"], "INVALID_COUNTY"],
    [["1405009000000001", ID, "李四", "140525", "2023-06", "2023-05", "0", "1.00", "SEALED"], "INVALID_PERIOD"],
    // 2019-03..2023-05 holds 51 months.
    [["1405009000000001", ID, "李四", "140525", "2019-03", "2023-05", "52", "1.00", "SEALED"], "INVALID_PAID_MONTHS"],
    [["1405009000000001", ID, "李四", "140525", "2019-03", "2023-05", "-1", "1.00", "SEALED"], "INVALID_PAID_MONTHS"],
    [["1405009000000001", ID, "李四", "140525", "2019-03", "2023-05", "51", "1.5", "SEALED"], "INVALID_AMOUNT"],
    [["1405009000000001", ID, "李四", "140525", "2019-03", "2023-05", "51", "1000", "SEALED"], "INVALID_AMOUNT"],
    [["1405009000000001", ID, "李四", "140525", "2019-03", "2023-05", "51", "-1.00", "SEALED"], "INVALID_AMOUNT"],
    [["1405009000000001", ID, "李四", "140525", "2019-03", "2023-05", "51", "1.00", "ACTIVE"], "INVALID_STATUS"],
    [["1405009000000001", ID, "李四"], "MALFORMED_ROW"],
  ])("refuses %j with %s", (fields, code) => {
    expect(legacyRowOf(fields, 7)).toMatchObject({ line: 7, code });
  });

  test("stops at a wrong header, and after the row limit with TOO_MANY_ROWS", async () => {
    expect(await read("accountNumber,idNumber\n1,2\n")).toEqual([expect.objectContaining({ code: "INVALID_HEADER" })]);
    const row = `1405009000000001,${ID},李四,140525,2019-03,2023-05,51,1.00,SEALED`;
    const rows = await read([HEADER, row, row, row].join("\n"), 2);
    expect(rows.map((r) => (isLegacyProblem(r) ? r.code : "ROW"))).toEqual(["ROW", "ROW", "TOO_MANY_ROWS"]);
    expect(rows[2]).toMatchObject({ line: 4 });
  });

  test("reports an over-long record and an empty file by line", async () => {
    const long = `1405009000000001,${ID},${"名".repeat(3000)},140525,2019-03,2023-05,51,1.00,SEALED`;
    const rows = await read([HEADER, long].join("\n"));
    expect(rows).toEqual([expect.objectContaining({ code: "MALFORMED_ROW" })]);
    expect(await read("")).toEqual([expect.objectContaining({ code: "EMPTY_FILE", line: 1 })]);
  });
});
