import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ExchangeAnchor } from "../../../src/services/audit/exchange-anchor";

const KEY = "anchor-key-for-the-unit-test-0123456789";
const head = { seq: "12", id: "40", hash: "a".repeat(64), count: "12", at: "2026-12-01T10:00:00.000Z" };

describe("the exchange anchor's checkpoint file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "anchor-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("appends one signed JSON line per checkpoint, readable by another process with the same key", () => {
    new ExchangeAnchor(KEY, dir).record(head);
    new ExchangeAnchor(KEY, dir).record({ ...head, seq: "13", id: "41" });
    const lines = readFileSync(join(dir, "exchange-checkpoints.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    const reader = new ExchangeAnchor(KEY, dir);
    expect(reader.all().map((c) => [c.seq, c.id, reader.isAuthentic(c)])).toEqual([
      ["12", "40", true],
      ["13", "41", true],
    ]);
  });

  it("rejects an edited checkpoint, one signed with another key, and a line that is not JSON", () => {
    const anchor = new ExchangeAnchor(KEY, dir);
    const signed = anchor.record(head);
    expect(anchor.isAuthentic({ ...signed, seq: "11" })).toBe(false);
    expect(anchor.isAuthentic(new ExchangeAnchor("another-key-of-at-least-32-characters!!").sign(head))).toBe(false);
    appendFileSync(join(dir, "exchange-checkpoints.jsonl"), "not json\n");
    expect(anchor.all().map((c) => anchor.isAuthentic(c))).toEqual([true, false]);
  });
});
