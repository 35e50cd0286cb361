// The PGlite data-folder lock: a lock left by a process that is gone is taken over (the hub starts after a crash),
// a lock held by a live process is refused with a message naming that process, and released once it exits.
// No database is opened: openDatabase takes this lock before PGlite touches the folder (process-lifecycle.test.ts
// shows a started hub holding and releasing it).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { acquireDataDirLock, DataDirLockedError, lockOwner, lockPathFor } from "../../../src/db/data-dir-lock";

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "hub-lock-"));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A pid that certainly belonged to a process that has exited (its exit event has been seen). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid!;
}

/** A live process that waits until it is killed; resolves once it has started. */
async function liveProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "process.stdout.write('up'); setInterval(() => {}, 1000)"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  await once(child.stdout!, "data");
  return child;
}

it("takes over the lock of a process that is gone", async () => {
  const dataDir = join(folder, "stale");
  const pid = await deadPid();
  writeFileSync(lockPathFor(dataDir), String(pid));
  expect(lockOwner(dataDir)).toBeNull();
  const release = acquireDataDirLock(dataDir);
  expect(readFileSync(lockPathFor(dataDir), "utf8")).toBe(String(process.pid));
  release();
  expect(existsSync(lockPathFor(dataDir))).toBe(false);
});

it("takes over a lock file that holds no pid", () => {
  const dataDir = join(folder, "garbage");
  writeFileSync(lockPathFor(dataDir), "not a pid\n");
  const release = acquireDataDirLock(dataDir);
  expect(readFileSync(lockPathFor(dataDir), "utf8")).toBe(String(process.pid));
  release();
});

it("refuses a folder locked by a live process, naming it, and takes it once that process has exited", async () => {
  const dataDir = join(folder, "live");
  const owner = await liveProcess();
  try {
    writeFileSync(lockPathFor(dataDir), String(owner.pid));
    expect(lockOwner(dataDir)).toBe(owner.pid);
    expect(() => acquireDataDirLock(dataDir)).toThrow(new DataDirLockedError(resolve(dataDir), owner.pid!));
    expect(() => acquireDataDirLock(dataDir)).toThrow(
      `the PGlite data folder ${resolve(dataDir)} is in use by process ${owner.pid}`,
    );
    expect(readFileSync(lockPathFor(dataDir), "utf8")).toBe(String(owner.pid)); // the owner's lock is untouched
  } finally {
    owner.kill("SIGKILL");
    await once(owner, "exit");
  }
  // Killed without a chance to remove its lock: the file is still there, and now stale.
  expect(existsSync(lockPathFor(dataDir))).toBe(true);
  const release = acquireDataDirLock(dataDir);
  release();
});
