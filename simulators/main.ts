/* Runs the agency simulators standalone: `node -r @swc-node/register simulators/main.ts`.
 * Reads HUB_SIM_NATIONAL_SEED, HUB_SIM_CREDIT_SEED (JSON files) and HUB_SIM_FINANCE_PAY_DELAY_S. */
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
  const stop = () => {
    simulators.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
