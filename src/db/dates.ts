// DATE columns come back from Prisma as Date objects at UTC midnight: convert them in one place.
export function dateToString(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function stringToDate(s: string): Date {
  return new Date(`${s}T00:00:00.000Z`);
}
