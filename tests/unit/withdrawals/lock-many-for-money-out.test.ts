import type { SqlTx } from "../../../src/db/driver-sql";
import { lockManyForMoneyOut } from "../../../src/services/withdrawals/money-out";

describe("lockManyForMoneyOut", () => {
  it("refuses two asks for one account before it sends anything", async () => {
    const sent: string[] = [];
    // Any statement reaching the transaction is recorded: the refusal must come first.
    const tx = new Proxy({} as SqlTx, {
      get: (_t, name) => () => {
        sent.push(String(name));
        throw new Error(`unexpected call ${String(name)}`);
      },
    });
    await expect(
      lockManyForMoneyOut(
        tx,
        [
          { accountNumber: "1405240000000001", on: "2024-07-15" },
          { accountNumber: "1405240000000001", on: "2024-07-16" },
        ],
        "WITHDRAW",
      ),
    ).rejects.toThrow("one ask per account");
    expect(sent).toEqual([]);
  });
});
