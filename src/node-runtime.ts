// Which Node.js runtime the hub runs on, checked once at start: a release line past its end of life gets no more
// security fixes, and an operator should hear of it from the process itself, not from an audit (issue 12: Node 20
// reached its end of life in April 2026; the hub and its tests run on Node 22 LTS). Nothing refuses to start: the
// engines field (>= 20.19) is the floor, this is advice.

/** End of life of each Node.js LTS line (the Node.js release schedule). */
const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  20: "2026-04-30",
  22: "2027-04-30",
  24: "2028-04-30",
};

/** The line CI runs the unit project and a database subset on besides the default (`.ci/node22.sh`). */
const RECOMMENDED_NODE = 22;

/** What is wrong with running on `version` on `today`; null for a supported LTS line or one newer than the table. */
function runtimeProblem(version: string, major: number, today: string): string | null {
  if (!Number.isInteger(major)) return `Node.js ${version}: version not recognised`;
  const endOfLife = NODE_END_OF_LIFE[major];
  if (endOfLife !== undefined)
    return today > endOfLife
      ? `Node.js ${version} reached its end of life on ${endOfLife} and gets no security fixes`
      : null;
  if (major % 2 === 1) return `Node.js ${version} is not a long-term-support line`;
  return major < 20 ? `Node.js ${version} is older than the hub supports (>= 20.19)` : null;
}

/**
 * Advice about running on `version` (as `process.version` gives it, "v20.20.2") on `today` (YYYY-MM-DD), or null when
 * there is nothing to say.
 */
export function nodeRuntimeAdvice(version: string, today: string): string | null {
  const problem = runtimeProblem(version, Number(/^v?(\d+)\./.exec(version)?.[1]), today);
  return problem && `${problem}; run the hub on Node ${RECOMMENDED_NODE} LTS`;
}
