import { ConnectorResponseError } from "../../../src/connectors/connector.errors";
import { toCreditReport } from "../../../src/connectors/credit/credit.mapper";
import { toFinanceBatch } from "../../../src/connectors/finance/finance.mapper";
import {
  toAck,
  toPersonCheck,
  toTransferResult,
} from "../../../src/connectors/national-platform/national-platform.mapper";

const ID = "140502199001010019";
const check = { idNumber: ID, depositAccounts: [], loans: [], fraudBanUntil: null };

describe("connector answer mappers", () => {
  test("accept a check about the person asked, whatever the case of the check character", () => {
    expect(toPersonCheck({ ...check, idNumber: "11010519491231002x" }, "11010519491231002X").idNumber).toBe(
      "11010519491231002x",
    );
  });

  test("refuse a check about another person", () => {
    expect(() => toPersonCheck(check, "140502198503150025")).toThrow(ConnectorResponseError);
  });

  test("refuse a check with a wrong account status and name the path, not the value", () => {
    const raw = {
      ...check,
      depositAccounts: [{ centerCode: "440300", accountNumber: ID, kind: "FLEXIBLE", status: ID }],
    };
    const error = thrownBy(() => toPersonCheck(raw, ID));
    expect(error).toBeInstanceOf(ConnectorResponseError);
    expect(error.message).toContain("depositAccounts.0.status");
    expect(error.message).not.toContain(ID);
  });

  test("refuse an acknowledgement that does not acknowledge", () => {
    expect(() => toAck({ registered: false }, "registered")).toThrow(ConnectorResponseError);
    expect(() => toAck({ registered: true }, "registered")).not.toThrow();
  });

  test("drop a null reason from a transfer result", () => {
    expect(toTransferResult({ status: "ACCEPTED", reason: null })).toEqual({ status: "ACCEPTED" });
  });

  test("refuse a credit report about another person", () => {
    const raw = { idNumber: ID, level: "CLEAN", dishonestList: false, reportedAt: "2026-11-28T02:00:00Z" };
    expect(() => toCreditReport(raw, "140502198503150025")).toThrow(ConnectorResponseError);
  });

  test("refuse a paid subsidy claim without a payment date", () => {
    const raw = { batchNo: "GS-1", status: "PAID", results: [{ claimNo: "C1", status: "PAID", reason: null }] };
    expect(() => toFinanceBatch(raw, "GS-1")).toThrow(ConnectorResponseError);
  });

  test("refuse a batch answer that lists a claim twice", () => {
    const paid = { claimNo: "C1", status: "PAID", reason: null, paidOn: "2026-11-28" };
    expect(() => toFinanceBatch({ batchNo: "GS-1", status: "PAID", results: [paid, paid] }, "GS-1")).toThrow(
      ConnectorResponseError,
    );
  });
});

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
}
