/* Runs the agency simulators standalone: `node -r @swc-node/register simulators/main.ts`.
 * Reads HUB_SIM_NATIONAL_SEED, HUB_SIM_CREDIT_SEED (JSON files) and HUB_SIM_FINANCE_PAY_DELAY_S; with
 * HUB_SIM_EXIT_WITH_STDIN=1 (set by the hub that starts it) it exits when its stdin closes. */
import { startAllSimulators } from "./index";

async function main(): Promise<void> {
  const delay = process.env.HUB_SIM_FINANCE_PAY_DELAY_S;
  const financePayDelayS = delay === undefined || delay === "" ? undefined : Number(delay);
  if (financePayDelayS !== undefined && !(Number.isFinite(financePayDelayS) && financePayDelayS >= 0)) {
    throw new Error(`HUB_SIM_FINANCE_PAY_DELAY_S must be a number of seconds >= 0, got "${delay}"`);
  }
  const simulators = await startAllSimulators({
    nationalSeedFile: process.env.HUB_SIM_NATIONAL_SEED || undefined,
    creditSeedFile: process.env.HUB_SIM_CREDIT_SEED || undefined,
    financePayDelayS,
  });
  process.stdout.write(
    `HUB_NATIONAL_URL=${simulators.nationalUrl}\nHUB_CREDIT_URL=${simulators.creditUrl}\nHUB_FINANCE_URL=${simulators.financeUrl}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    simulators.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (process.env.HUB_SIM_EXIT_WITH_STDIN === "1") {
    // Started by a hub (src/dev/simulator-process.ts): its end closes our stdin, whatever killed it.
    process.stdin.once("end", stop);
    process.stdin.once("close", stop);
    process.stdin.resume();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
