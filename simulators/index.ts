import { startCreditSimulator } from "./credit/credit.simulator";
import { startFinanceSimulator } from "./finance/finance.simulator";
import { startNationalPlatformSimulator } from "./national-platform/national-platform.simulator";

export { startCreditSimulator } from "./credit/credit.simulator";
export { startFinanceSimulator } from "./finance/finance.simulator";
export { startNationalPlatformSimulator } from "./national-platform/national-platform.simulator";
export type { SimulatorMode } from "./shared/simulator.server";

export interface AllSimulatorsOptions {
  nationalSeedFile?: string;
  creditSeedFile?: string;
  financePayDelayS?: number;
  host?: string;
}

export interface RunningSimulators {
  nationalUrl: string;
  creditUrl: string;
  financeUrl: string;
  close(): Promise<void>;
}

/** Starts the three agency simulators on free local ports (what `npm start` uses when no URL is set). */
export async function startAllSimulators(options: AllSimulatorsOptions = {}): Promise<RunningSimulators> {
  const opened: { close(): Promise<void> }[] = [];
  const close = async () => {
    await Promise.all(opened.splice(0).map((simulator) => simulator.close()));
  };
  try {
    const national = await startNationalPlatformSimulator({ host: options.host, seedFile: options.nationalSeedFile });
    opened.push(national);
    const credit = await startCreditSimulator({ host: options.host, seedFile: options.creditSeedFile });
    opened.push(credit);
    const finance = await startFinanceSimulator({ host: options.host, payDelayS: options.financePayDelayS });
    opened.push(finance);
    return { nationalUrl: national.url, creditUrl: credit.url, financeUrl: finance.url, close };
  } catch (err) {
    await close();
    throw err;
  }
}
