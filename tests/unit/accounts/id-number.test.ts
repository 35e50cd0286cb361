import { checkCharacter, makeIdNumber, maskIdNumber, parseIdNumber } from "../../../src/domain/accounts/id-number";

/** A well-formed ID number for the given 17 digits, its check character computed. */
function withCheck(first17: string): string {
  return first17 + checkCharacter(first17);
}

/** Replaces the check character with a different, wrong one. */
function withWrongCheck(first17: string): string {
  const right = checkCharacter(first17);
  return first17 + (right === "1" ? "2" : "1");
}

describe("checkCharacter", () => {
  it("computes the published example of GB 11643-1999", () => {
    expect(checkCharacter("11010519491231002")).toBe("X");
  });

  it("computes digit check characters from the weighted sum mod 11", () => {
    // weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 against 14052119900307001 give 217; 217 mod 11 = 8 -> '4'
    expect(checkCharacter("14052119900307001")).toBe("4");
    // all zeros: sum 0 -> '1'; a single 1 in the weight-2 position: sum 2 -> 'X'
    expect(checkCharacter("00000000000000000")).toBe("1");
    expect(checkCharacter("00000000000000001")).toBe("X");
    // sum 1 (weight-1 position) -> '0'
    expect(checkCharacter("00000001000000000")).toBe("0");
  });

  it("refuses anything but 17 digits", () => {
    expect(() => checkCharacter("1405211990030700")).toThrow(RangeError);
    expect(() => checkCharacter("1405211990030700X")).toThrow(RangeError);
  });
});

describe("parseIdNumber", () => {
  it("parses a valid Jincheng ID of a man", () => {
    const id = withCheck("14052119900307001");
    expect(parseIdNumber(id)).toEqual({
      ok: true,
      value: { idNumber: id, areaCode: "140521", birthDate: "1990-03-07", sex: "M" },
    });
  });

  it("reads an even sequence digit as a woman", () => {
    const result = parseIdNumber(withCheck("14050219851231002"));
    expect(result.ok && result.value.sex).toBe("F");
  });

  it("accepts an upper-case X check character", () => {
    expect(parseIdNumber("11010519491231002X")).toMatchObject({ ok: true, value: { sex: "F" } });
  });

  it("accepts a lower-case x and stores it upper-case", () => {
    const result = parseIdNumber("11010519491231002x");
    expect(result).toMatchObject({ ok: true, value: { idNumber: "11010519491231002X" } });
  });

  it("refuses a wrong check character", () => {
    expect(parseIdNumber(withWrongCheck("14052119900307001"))).toEqual({ ok: false, reason: "CHECK_CHARACTER" });
    expect(parseIdNumber("110105194912310021")).toEqual({ ok: false, reason: "CHECK_CHARACTER" });
  });

  it("refuses an X where the check character is a digit", () => {
    expect(checkCharacter("14052119900307001")).not.toBe("X");
    expect(parseIdNumber("14052119900307001X")).toEqual({ ok: false, reason: "CHECK_CHARACTER" });
  });

  it.each([
    ["17 characters", "14052119900307001"],
    ["19 characters", "1405211990030700140"],
    ["an X inside the digits", "1405211990030X0014"],
    ["a letter other than X at the end", "14052119900307001A"],
    ["surrounding spaces", " 140521199003070014"],
    ["a 15-digit first-generation number", "140521900307001"],
    ["an empty string", ""],
  ])("refuses %s as a format error", (_label, raw) => {
    expect(parseIdNumber(raw)).toEqual({ ok: false, reason: "FORMAT" });
  });

  it.each([
    ["30 February", "14052119900230001"],
    ["month 13", "14052119901301001"],
    ["day 00", "14052119900300001"],
    ["29 February 1900, not a leap year", "14052119000229001"],
    ["a birth year before 1900", "14052118991231001"],
  ])("refuses a birth date of %s", (_label, first17) => {
    expect(parseIdNumber(withCheck(first17))).toEqual({ ok: false, reason: "BIRTH_DATE" });
  });

  it("accepts a birth date on 1 January 1900 and on a leap day", () => {
    expect(parseIdNumber(withCheck("14052119000101001")).ok).toBe(true);
    expect(parseIdNumber(withCheck("14052120000229001"))).toMatchObject({
      ok: true,
      value: { birthDate: "2000-02-29" },
    });
  });
});

describe("maskIdNumber", () => {
  it("keeps the first six and last four characters", () => {
    expect(maskIdNumber("140521199003070014")).toBe("140521********0014");
    expect(maskIdNumber("11010519491231002x")).toBe("110105********002X");
  });

  it("masks a malformed value entirely rather than leak part of it", () => {
    expect(maskIdNumber("140521900307001")).toBe("***************");
  });
});

describe("makeIdNumber", () => {
  it("builds an ID that parses back to its parts", () => {
    const id = makeIdNumber("140502", "2010-03-15", 7);
    expect(id).toBe(withCheck("14050220100315007"));
    expect(parseIdNumber(id)).toEqual({
      ok: true,
      value: { idNumber: id, areaCode: "140502", birthDate: "2010-03-15", sex: "M" },
    });
  });

  it("pads the sequence to three digits and the last digit sets the sex", () => {
    expect(makeIdNumber("140502", "1990-01-01", 0).slice(14, 17)).toBe("000");
    expect(makeIdNumber("140502", "1990-01-01", 998).slice(14, 17)).toBe("998");
    const woman = parseIdNumber(makeIdNumber("140502", "1990-01-01", 998));
    expect(woman.ok && woman.value.sex).toBe("F");
  });

  it("refuses a bad area code, date or sequence", () => {
    expect(() => makeIdNumber("14050", "1990-01-01", 1)).toThrow(RangeError);
    expect(() => makeIdNumber("140502", "1990-02-30", 1)).toThrow(RangeError);
    expect(() => makeIdNumber("140502", "1990-01-01", 1000)).toThrow(RangeError);
    expect(() => makeIdNumber("140502", "1990-01-01", -1)).toThrow(RangeError);
    expect(() => makeIdNumber("140502", "1990-01-01", 1.5)).toThrow(RangeError);
  });
});
