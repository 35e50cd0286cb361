import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { badInput } from "../../errors";
import { Account } from "../../schema/accounts/account.type";
import {
  Instalment,
  Loan,
  LoanApplicationInput,
  LoanPayload,
  LoanRepaymentInput,
  LoanRunPayload,
} from "../../schema/loans/loan.types";
import { DateScalar, YearMonthScalar } from "../../schema/scalars/date.scalar";
import type { AccountView } from "../../services/accounts/account-view";
import type { Outcome } from "../../services/idempotency";
import { applyForLoan, type LoanResult } from "../../services/loans/apply-for-loan";
import { disburseLoan } from "../../services/loans/disburse-loan";
import { type LoanView, loanView } from "../../services/loans/loan-book";
import { instalmentsPage, type InstalmentView } from "../../services/loans/loan-schedule.view";
import { repayLoan } from "../../services/loans/repay-loan";
import { runLoanRepayments } from "../../services/loans/run-loan-repayments";
import { mayRead } from "../accounts/account.presenter";
import { payload } from "../payload.mapper";

const MAX_INSTALMENTS = 360;

function loanPayload(outcome: Outcome<LoanResult>, ctx: HubContext) {
  if ("ok" in outcome) ctx.exchange.touch([outcome.ok.loan.idNumber]);
  return {
    ...payload(outcome, (r) => ({ loan: r.loan }), { loan: null }),
    warnings: "ok" in outcome ? outcome.ok.warnings : [],
  };
}

@Resolver(() => Loan)
export class LoanResolver {
  @Query(() => Loan, { nullable: true, description: "CENTER_*; WORKER (own loans). 贷款查询。" })
  async loan(@Arg("loanNumber", () => String) loanNumber: string, @Ctx() ctx: HubContext): Promise<LoanView | null> {
    if (loanNumber.length > 64) return null;
    const view = await loanView(ctx.hub.prisma, loanNumber);
    if (!view || !mayRead(ctx.viewer!, view.accountNumber)) return null;
    ctx.exchange.touch([view.idNumber]);
    return view;
  }

  @FieldResolver(() => [Instalment], { description: "The schedule from instalment `after` + 1 on (after = a number)." })
  async schedule(
    @Root() loan: LoanView,
    @Arg("first", () => Int, { nullable: true, defaultValue: 12 }) first: number | null,
    @Arg("after", () => Int, { nullable: true }) after: number | null,
    @Ctx() ctx: HubContext,
  ): Promise<InstalmentView[]> {
    const size = first ?? 12;
    if (size < 1 || size > MAX_INSTALMENTS) throw badInput(`first 须在 1 到 ${MAX_INSTALMENTS} 之间`, "first");
    return instalmentsPage(ctx.hub.prisma, loan.loanNumber, size, after ?? 0);
  }

  @Mutation(() => LoanPayload, {
    description: "CENTER_OPERATOR: a loan application, checked against the quota, the national platform and credit.",
  })
  async applyForLoan(@Arg("input", () => LoanApplicationInput) input: LoanApplicationInput, @Ctx() ctx: HubContext) {
    return loanPayload(await applyForLoan(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => LoanPayload, {
    description: "CENTER_ADMIN: pay out an approved loan; its schedule starts. 贷款发放。",
  })
  async disburseLoan(
    @Arg("loanNumber", () => String) loanNumber: string,
    @Arg("disbursedOn", () => DateScalar) disbursedOn: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: HubContext,
  ) {
    return loanPayload(await disburseLoan(ctx.hub, actorOf(ctx), { loanNumber, disbursedOn, idempotencyKey }), ctx);
  }

  @Mutation(() => LoanPayload, {
    description: "CENTER_OPERATOR: a repayment by bank or from the HPF balance; more than is due prepays principal.",
  })
  async repayLoan(@Arg("input", () => LoanRepaymentInput) input: LoanRepaymentInput, @Ctx() ctx: HubContext) {
    return loanPayload(await repayLoan(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => LoanRunPayload, {
    description: "CENTER_ADMIN: the month's run: offset instalments from balances where chosen, mark overdue ones.",
  })
  async runLoanRepayments(
    @Arg("period", () => YearMonthScalar) period: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: HubContext,
  ) {
    return payload(await runLoanRepayments(ctx.hub, actorOf(ctx), period, idempotencyKey), (run) => ({ run }), {
      run: null,
    });
  }
}

@Resolver(() => Account)
export class AccountLoansResolver {
  @FieldResolver(() => [Loan], { description: "Every loan of this account, newest first." })
  async loans(@Root() account: AccountView, @Ctx() ctx: HubContext): Promise<LoanView[]> {
    return ctx.loaders.loansByAccount.load(account.accountNumber);
  }
}
