// The Node 22 binary of .ci/node22.sh (fetched once from the npm registry package node-linux-<arch>, cached), for
// children that run under Node 22 while the bench itself runs under the repository's Node 20.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

import { REPO_ROOT } from "./proc";

let cached: string | null = null;

/** Path of the Node 22 `node` executable; throws with the script's output when it cannot be had. */
export function node22Path(): string {
  if (cached) return cached;
  const dir = execFileSync("bash", [resolve(REPO_ROOT, ".ci/node22.sh")], {
    encoding: "utf8",
    timeout: 300_000,
  }).trim();
  cached = resolve(dir, "node");
  return cached;
}

/** The `node` to run a child under: "20" = this process's own binary, "22" = the Node 22 binary. */
export function nodeFor(version: "20" | "22"): string {
  return version === "22" ? node22Path() : process.execPath;
}
