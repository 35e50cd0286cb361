// Counts the socket writes this process makes while `fn` runs (every socket: the caller keeps the others quiet), so a
// test can show how many writes carried some statements (decisions 044, 045).
import { Socket } from "node:net";

export async function socketWrites<T>(fn: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const proto = Socket.prototype as unknown as Record<"_write" | "_writev", (...a: unknown[]) => unknown>;
  const original = { _write: proto._write, _writev: proto._writev };
  let writes = 0;
  for (const key of ["_write", "_writev"] as const)
    proto[key] = function counted(this: Socket, ...args: unknown[]) {
      writes += 1;
      return original[key].apply(this, args);
    };
  try {
    return { result: await fn(), writes };
  } finally {
    Object.assign(proto, original);
  }
}
