// A page of a loan's schedule as the API shows it (money as strings).
import { formatMoney, toMoney } from "../../domain/money/money";
import type { PrismaClient } from "../../generated/prisma/client";

export interface InstalmentView {
  number: number;
  period: string;
  principal: string;
  interest: string;
  total: string;
  paid: string;
  status: string;
}

type Num = { toFixed(): string };

export async function instalmentsPage(
  prisma: PrismaClient,
  loanNumber: string,
  first: number,
  after: number,
): Promise<InstalmentView[]> {
  const rows = await prisma.$queryRaw<
    {
      number: number;
      period: string;
      principal: Num;
      interest: Num;
      paid_principal: Num;
      paid_interest: Num;
      status: string;
    }[]
  >`
    SELECT i.number, i.period::text AS period, i.principal, i.interest, i.paid_principal, i.paid_interest, i.status
    FROM loan_instalment i JOIN loan l ON l.id = i.loan_id
    WHERE l.loan_number = ${loanNumber} AND i.number > ${after}::int ORDER BY i.number LIMIT ${first}::int`;
  return rows.map((r) => ({
    number: r.number,
    period: r.period,
    principal: formatMoney(toMoney(r.principal)),
    interest: formatMoney(toMoney(r.interest)),
    total: formatMoney(toMoney(r.principal).plus(toMoney(r.interest))),
    paid: formatMoney(toMoney(r.paid_principal).plus(toMoney(r.paid_interest))),
    status: r.status,
  }));
}
