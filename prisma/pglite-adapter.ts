// PGlite driver adapter for the Prisma CLI (prisma.config.ts), working around pglite-prisma-adapter@0.6.1 issues:
//  1. migrate dev / migrate diff --from-migrations replay migration.sql into the shadow DB through executeRaw()
//     with no args; PGlite.query() always uses the extended protocol
//     => "cannot insert multiple commands into a prepared statement". Fix: no-arg executeRaw -> PGlite.exec().
//  2. executeScript() does not await PGlite.exec() (errors become unhandled rejections). Fix: await it.
//  3. The CLI calls the config's adapter() factory twice per run; `new PGlite(dir)` in it starts TWO
//     postgres instances on ONE data dir (no lock => corruption risk). Fix: lazy, one instance per dir.
//  5. PGlite cannot open a data dir through a symlink (ErrnoError 44). Fix: realpath.
//  4. The CLI never disposes the main adapter, and an open PGlite re-arms a ~10 s postgres timer
//     (emscripten setitimer -> setTimeout) forever, so `migrate status` / `migrate deploy` print their
//     result and then never exit. Fix (CLI process only): unref the timers PGlite arms.
import { existsSync, realpathSync } from "node:fs";

import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";

type AnyAdapter = {
  client: PGlite;
  executeRaw(q: { sql: string; args: unknown[] }): Promise<number>;
  executeScript(s: string): Promise<void>;
  dispose(): Promise<void>;
  onError(e: unknown): never;
};

async function patch(adapter: AnyAdapter, isShadow: boolean) {
  const client = adapter.client;
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (q) => {
    if (q.args.length > 0) return executeRaw(q);
    try {
      const results = await client.exec(q.sql);
      return results.reduce((n, r) => n + (r.affectedRows ?? 0), 0);
    } catch (e) {
      return adapter.onError(e);
    }
  };
  adapter.executeScript = async (script) => {
    try {
      await client.exec(script);
    } catch (e) {
      adapter.onError(e);
    }
  };
  adapter.dispose = async () => {
    if (isShadow && !client.closed) await client.close(); // shadow = throwaway in-memory PGlite
  };
  return adapter;
}

const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = function (this: unknown, ...args: Parameters<typeof setTimeout>) {
  const t = realSetTimeout.apply(this, args);
  if (new Error().stack?.includes("__setitimer_js")) t.unref(); // armed by PGlite's wasm postgres
  return t;
} as typeof setTimeout;

const instances = new Map<string, PGlite>();
function pgliteFor(dir: string): PGlite {
  const dataDir = dir.includes("://") || !existsSync(dir) ? dir : realpathSync(dir);
  let pg = instances.get(dataDir);
  if (!pg || pg.closed) {
    pg = new PGlite(dataDir);
    instances.set(dataDir, pg);
  }
  return pg;
}

export function pgliteMigrationAdapter(dataDir: string) {
  let factory: PrismaPGlite | undefined;
  const get = () => (factory ??= new PrismaPGlite(pgliteFor(dataDir)));
  return {
    provider: "postgres" as const,
    adapterName: "pglite-prisma-adapter",
    connect: async () => patch((await get().connect()) as never, false),
    connectToShadowDb: async () => patch((await get().connectToShadowDb()) as never, true),
  };
}
