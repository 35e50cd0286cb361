// The start-up advice about the Node.js runtime (src/node-runtime.ts). Dates and versions are written by hand from
// the Node.js release schedule: 20 ends 2026-04-30, 22 ends 2027-04-30.
import { nodeRuntimeAdvice } from "../../../src/node-runtime";

it("says that Node 20 is past its end of life after 2026-04-30, naming the date and Node 22", () => {
  const advice = nodeRuntimeAdvice("v20.20.2", "2026-12-05");
  expect(advice).toContain("2026-04-30");
  expect(advice).toContain("Node 22 LTS");
});

it("says nothing of Node 20 on its last day of support", () => {
  expect(nodeRuntimeAdvice("v20.19.0", "2026-04-30")).toBeNull();
});

it("says nothing of Node 22 or 24 while they are supported", () => {
  expect(nodeRuntimeAdvice("v22.23.5", "2026-12-05")).toBeNull();
  expect(nodeRuntimeAdvice("v24.1.0", "2026-12-05")).toBeNull();
});

it("says that Node 22 is past its end of life after 2027-04-30", () => {
  expect(nodeRuntimeAdvice("v22.23.5", "2027-05-01")).toContain("2027-04-30");
});

it("advises against a line that is not long-term support, and against one older than the floor", () => {
  expect(nodeRuntimeAdvice("v23.11.0", "2026-12-05")).toContain("not a long-term-support line");
  expect(nodeRuntimeAdvice("v18.20.0", "2026-12-05")).toContain(">= 20.19");
});

it("says nothing of an even line newer than its table", () => {
  expect(nodeRuntimeAdvice("v26.0.0", "2026-12-05")).toBeNull();
});

it("does not trust a version it cannot read", () => {
  expect(nodeRuntimeAdvice("nightly", "2026-12-05")).toContain("not recognised");
});
