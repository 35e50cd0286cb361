// One process per PGlite data folder: PGlite has no lock of its own, and two processes on one folder
// corrupt it silently. The lock is a file beside the folder holding the owner's pid; a lock whose
// process is gone is stale and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `the PGlite data folder ${dataDir} is in use by process ${ownerPid}; ` +
        `stop that hub first, or give this one another HUB_DATA_DIR (two processes on one folder corrupt it)`,
    );
  }
}

export function lockPathFor(dataDir: string): string {
  return `${resolve(dataDir)}.lock`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid holding the folder, or null when it is free (or its holder died). */
export function lockOwner(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(lockPathFor(dataDir), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock or throws DataDirLockedError; returns the release function. */
export function acquireDataDirLock(dataDir: string): () => void {
  const path = lockPathFor(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = lockOwner(dataDir);
      if (owner !== null) throw new DataDirLockedError(resolve(dataDir), owner);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new DataDirLockedError(resolve(dataDir), -1);
}
