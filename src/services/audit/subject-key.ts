// Persons in the exchange log are indexed by a keyed hash of their ID number: a person's records can be found
// (given the ID number), but the log itself holds no ID numbers. The key is generated once per installation.
import { createHmac, randomBytes } from "node:crypto";

import type { PrismaClient } from "../../generated/prisma/client";

const SETTING = "exchange.subjectKeySalt";

export type SubjectKeyer = (idNumber: string) => string;

export async function loadSubjectKeyer(prisma: PrismaClient): Promise<SubjectKeyer> {
  await prisma.$executeRaw`INSERT INTO hub_setting (key, value) VALUES (${SETTING}, ${randomBytes(32).toString("hex")}) ON CONFLICT (key) DO NOTHING`;
  const row = await prisma.hubSetting.findUniqueOrThrow({ where: { key: SETTING } });
  return subjectKeyerOf(row.value);
}

/** The keyer of an installation's salt (hex, as `hub_setting` stores it). */
export function subjectKeyerOf(saltHex: string): SubjectKeyer {
  const salt = Buffer.from(saltHex, "hex");
  return (idNumber) => createHmac("sha256", salt).update(idNumber.toUpperCase()).digest("hex");
}

export const SUBJECT_KEY_SETTING = SETTING;
