import Decimal from "decimal.js";

import {
  batchFormatMoney,
  batchToMoney,
  formatMoney,
  Money,
  MoneyFormatError,
  moneyText,
  parseMoney,
  roundFen,
  sumMoney,
  toMoney,
  ZERO,
} from "../../../src/domain/money/money";

describe("parseMoney", () => {
  it.each(["0.00", "216.00", "5804.50", "-12.34", "0.01", "9999999999999999.99"])("accepts %s", (text) => {
    expect(parseMoney(text).equals(new Money(text))).toBe(true);
  });

  it.each([
    ["no decimals", "1000"],
    ["one decimal", "1000.5"],
    ["three decimals", "216.001"],
    ["three decimals of zeros", "1000.000"],
    ["exponent notation", "2.16e2"],
    ["a leading plus", "+216.00"],
    ["surrounding spaces", " 216.00 "],
    ["a thousands separator", "5,804.00"],
    ["a bare decimal point", "216."],
    ["no integer part", ".50"],
    ["seventeen integer digits", "12345678901234567.00"],
    ["a full-width digit", "１000.00"],
    ["an empty string", ""],
    ["Infinity", "Infinity"],
    ["NaN", "NaN"],
  ])("refuses %s", (_label, text) => {
    expect(() => parseMoney(text)).toThrow(MoneyFormatError);
  });

  it("keeps exact decimal values instead of binary floats", () => {
    expect(parseMoney("0.10").plus(parseMoney("0.20")).equals(parseMoney("0.30"))).toBe(true);
  });

  it("folds negative zero into zero", () => {
    expect(formatMoney(parseMoney("-0.00"))).toBe("0.00");
  });

  it("throws an error that is an Error with a readable name", () => {
    expect(() => parseMoney("abc")).toThrow(expect.objectContaining({ name: "MoneyFormatError" }));
    expect(new MoneyFormatError("x")).toBeInstanceOf(Error);
  });
});

describe("toMoney", () => {
  it("converts a decimal from another decimal.js copy through its toFixed string", () => {
    const foreign = new (Decimal.clone())("1234.50");
    expect(formatMoney(toMoney(foreign))).toBe("1234.50");
  });

  it("reads a tiny or huge decimal without exponent notation", () => {
    expect(toMoney(new Decimal("1e-7")).equals(new Money("0.0000001"))).toBe(true);
    expect(formatMoney(toMoney(new Decimal("1e21")))).toBe("1000000000000000000000.00");
  });

  it("converts a decimal string and an integer number", () => {
    expect(toMoney("216.00").equals(216)).toBe(true);
    expect(toMoney(5804).equals(new Money("5804"))).toBe(true);
  });

  it("refuses a non-integer number", () => {
    expect(() => toMoney(0.1)).toThrow(MoneyFormatError);
    expect(() => toMoney(Number.NaN)).toThrow(MoneyFormatError);
  });

  it("refuses a string that is not a plain decimal", () => {
    expect(() => toMoney("1e3")).toThrow(MoneyFormatError);
    expect(() => toMoney("abc")).toThrow(MoneyFormatError);
  });

  it("returns an instance of our Money constructor", () => {
    expect(toMoney(new (Decimal.clone())("1"))).toBeInstanceOf(Money);
  });
});

describe("roundFen", () => {
  it.each([
    ["1.005", "1.01"],
    ["1.004", "1.00"],
    ["2.675", "2.68"],
    ["-1.005", "-1.01"],
    ["-0.004", "0.00"],
    ["0.125", "0.13"],
  ])("rounds %s half-up to %s", (input, expected) => {
    expect(roundFen(new Money(input)).toFixed(2)).toBe(expected);
  });

  it("returns a Money already in whole fen as it is, negative zero as zero, and copies anything else", () => {
    const whole = new Money("1200.50");
    expect(roundFen(whole)).toBe(whole);
    expect(roundFen(new Money("-0.00"))).toBe(ZERO);
    expect(roundFen(new Money("-0")).toFixed(2)).toBe("0.00");
    const foreign = new (Decimal.clone())("12.34");
    expect(roundFen(foreign)).not.toBe(foreign);
    expect(roundFen(foreign).constructor).toBe(Money);
    expect(roundFen(foreign).toFixed(2)).toBe("12.34");
  });

  it("rounds half-up even for a value from a half-even decimal.js copy", () => {
    const halfEven = Decimal.clone({ rounding: Decimal.ROUND_HALF_EVEN });
    expect(roundFen(new halfEven("0.125")).toFixed(2)).toBe("0.13");
  });
});

describe("formatMoney", () => {
  it("prints exactly two decimals", () => {
    expect(formatMoney(new Money("216"))).toBe("216.00");
    expect(formatMoney(new Money("5804.5"))).toBe("5804.50");
    expect(formatMoney(ZERO)).toBe("0.00");
  });

  it("never uses exponent notation", () => {
    expect(formatMoney(new Money("1e21"))).toBe("1000000000000000000000.00");
    expect(formatMoney(new Money("1e-9"))).toBe("0.00");
  });

  it("rounds half-up to the fen when printing", () => {
    expect(formatMoney(new Money("0.005"))).toBe("0.01");
  });

  it("prints whole fen as they are and never a negative zero, from any decimal.js copy", () => {
    expect(formatMoney(new Money("-12.3"))).toBe("-12.30");
    expect(formatMoney(new Money("-0"))).toBe("0.00");
    expect(formatMoney(new Money("-0.001"))).toBe("0.00");
    expect(formatMoney(new Decimal("69647.04"))).toBe("69647.04");
    expect(formatMoney(new Decimal("2.675"))).toBe("2.68");
    expect(formatMoney(new Money("12345678901234567890123456789012345678901"))).toBe(
      "12345678901234567890123456789012345678901.00",
    );
  });
});

describe("moneyText (the Money scalar's output)", () => {
  it("returns an already printed amount as it is", () => {
    expect(moneyText("1234.50")).toBe("1234.50");
    expect(moneyText("0.00")).toBe("0.00");
    expect(moneyText("-12.30")).toBe("-12.30");
  });

  it("prints anything else exactly as formatMoney does", () => {
    expect(moneyText("-0.00")).toBe("0.00");
    expect(moneyText("007.10")).toBe("7.10");
    expect(moneyText("1000")).toBe("1000.00");
    expect(moneyText("5804.5")).toBe("5804.50");
    expect(moneyText("0.005")).toBe("0.01");
    expect(moneyText("1.999")).toBe("2.00");
    expect(moneyText(12)).toBe("12.00");
    expect(moneyText(new Decimal("216.1"))).toBe("216.10");
  });

  it("refuses what is not an amount", () => {
    expect(() => moneyText("12.3.4")).toThrow(MoneyFormatError);
    expect(() => moneyText("1e3")).toThrow(MoneyFormatError);
  });
});

describe("batchToMoney and batchFormatMoney (one batch read's amounts)", () => {
  it("reads equal texts as one shared value, equal to what toMoney reads", () => {
    const money = batchToMoney();
    const first = money("1000.00");
    expect(money("1000.00")).toBe(first);
    expect(first.equals(new Decimal("1000"))).toBe(true);
    expect(money("-0.00")).toBe(ZERO);
    expect(money("6000.5").toFixed()).toBe("6000.5");
    expect(money("6000.50")).not.toBe(money("6000.5"));
  });

  it("refuses what toMoney refuses, and remembers nothing for it", () => {
    const money = batchToMoney();
    expect(() => money("12.3.4")).toThrow(MoneyFormatError);
    expect(() => money("12.3.4")).toThrow(MoneyFormatError);
  });

  it("prints each value as formatMoney does, once per value", () => {
    const print = batchFormatMoney();
    const cap = new Money("5803.92");
    expect(print(cap)).toBe("5803.92");
    expect(print(new Money("1.005"))).toBe("1.01");
    expect(print(new Money("-0.001"))).toBe("0.00");
    expect(print(new Money("7"))).toBe("7.00");
    let printed = 0;
    const counting = Object.create(cap, { toFixed: { value: (dp?: number) => (printed++, cap.toFixed(dp!)) } });
    expect(print(counting)).toBe("5803.92");
    expect(print(counting)).toBe("5803.92");
    expect(printed).toBe(1);
  });
});

describe("sumMoney", () => {
  it("adds repeated instances exactly, as many times as they occur", () => {
    const month = new Money("1000.00");
    const cap = new Money("5803.92");
    expect(sumMoney([month, month, month, cap, month]).toFixed(2)).toBe("9803.92");
    // Twelve months of the largest amount a Money input takes: 12 x 9,999,999,999,999,999.99, no digit lost.
    const largest = new Money("9999999999999999.99");
    expect(sumMoney(Array.from({ length: 12 }, () => largest)).toFixed(2)).toBe("119999999999999999.88");
  });

  it("adds equal values held by different instances like the same value", () => {
    expect(sumMoney([new Money("0.10"), new Money("0.10"), new Money("0.1")]).toFixed(2)).toBe("0.30");
  });

  it("sums nothing, or amounts that cancel, to zero (never -0)", () => {
    expect(sumMoney([])).toBe(ZERO);
    const refund = new Money("-250.00");
    expect(sumMoney([new Money("250.00"), refund])).toBe(ZERO);
    expect(formatMoney(sumMoney([refund, refund]))).toBe("-500.00");
  });
});
