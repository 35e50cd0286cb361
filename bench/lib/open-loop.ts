// An open-loop reader (issue 12, row 3m): one request every `intervalMs`, whatever the answers do, as a dashboard's
// readers arrive. Used by the pilot-load bench in its own process, and by bench/read-client.ts in a child process.
export interface OpenLoop {
  sent: number;
  ok: number;
  failed: number;
  failureSamples: string[];
  p50: number;
  p99: number;
  max: number;
}

/** Sends one request every `intervalMs` for `durationMs` without waiting for answers; latencies of the good ones. */
export async function openLoop(
  url: string,
  body: string,
  token: string,
  intervalMs: number,
  durationMs: number,
): Promise<OpenLoop> {
  const latencies: number[] = [];
  const failureSamples: string[] = [];
  let failed = 0;
  let sent = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; ; i++) {
    const due = start + i * intervalMs;
    if (due - start >= durationMs) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent++;
    const t0 = performance.now();
    pending.push(
      fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body,
      })
        .then(async (res) => {
          const text = await res.text();
          if (res.status !== 200 || text.includes('"errors":') || !text.includes('"depositAmount"'))
            throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
          latencies.push(performance.now() - t0);
        })
        .catch((e: unknown) => {
          failed++;
          if (failureSamples.length < 3) failureSamples.push((e as Error).message);
        }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    sent,
    ok: latencies.length,
    failed,
    failureSamples,
    p50: q(0.5),
    p99: q(0.99),
    max: latencies.at(-1) ?? NaN,
  };
}
