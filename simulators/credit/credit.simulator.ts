import { z } from "zod";

import {
  readSeedFile,
  route,
  type RunningSimulator,
  type SimulatorControl,
  startSimulatorServer,
} from "../shared/simulator.server";

/** Stand-in for the credit reference center 征信 (connectors.md): anyone not seeded is CLEAN. */

const idNumber = z
  .string()
  .regex(/^\d{17}[\dXx]$/)
  .transform((value) => value.toUpperCase());
const seedReport = z.object({
  idNumber,
  level: z.enum(["CLEAN", "MINOR_OVERDUE", "SERIOUS"]),
  dishonestList: z.boolean(),
});

export const creditSeedSchema = z.object({ reports: z.array(seedReport).default([]) });

export type CreditSeedReport = z.input<typeof seedReport>;
export type CreditSeed = z.input<typeof creditSeedSchema>;

export interface CreditSimulatorControl extends SimulatorControl {
  setReport(report: CreditSeedReport): void;
}

export interface CreditSimulatorOptions {
  port?: number;
  host?: string;
  seed?: CreditSeed;
  seedFile?: string;
  slowMs?: number;
}

export async function startCreditSimulator(
  options: CreditSimulatorOptions = {},
): Promise<RunningSimulator<CreditSimulatorControl>> {
  const reports = new Map<string, z.output<typeof seedReport>>();
  const put = (report: z.output<typeof seedReport>) => reports.set(report.idNumber, report);
  if (options.seedFile !== undefined) readSeedFile(options.seedFile, creditSeedSchema).reports.forEach(put);
  if (options.seed !== undefined) creditSeedSchema.parse(options.seed).reports.forEach(put);

  const requestBody = z.object({ idNumber, purpose: z.literal("HPF_LOAN") });
  const running = await startSimulatorServer({
    port: options.port,
    host: options.host,
    slowMs: options.slowMs,
    malformedBody: { idNumber: null, level: "EXCELLENT", dishonestList: "no" },
    routes: [
      route("POST", /^\/v1\/credit\/report$/, requestBody, ({ idNumber: id }) => {
        const seeded = reports.get(id);
        return {
          status: 200,
          body: {
            idNumber: id,
            level: seeded?.level ?? "CLEAN",
            dishonestList: seeded?.dishonestList ?? false,
            reportedAt: new Date().toISOString(),
          },
        };
      }),
    ],
  });
  const control: CreditSimulatorControl = {
    ...running.control,
    setReport: (report) => put(seedReport.parse(report)),
  };
  return { ...running, control };
}
