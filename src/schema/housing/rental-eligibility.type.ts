// What the housing bureau sees: per person asked, the two eligibilities, the consecutive paid months and the codes of
// the rules not met. Nothing else about the person is reachable from here (data minimization).
import { Field, Int, ObjectType } from "type-graphql";

import { IdNumberScalar } from "../scalars/id-number.scalar";

@ObjectType({
  simpleResolvers: true,
  description: "Rental-housing support eligibility of a person as of a date. 租房保障资格。",
})
export class RentalEligibility {
  @Field(() => IdNumberScalar)
  idNumber: string;

  @Field(() => Boolean, { description: "Public / affordable rental housing priority. 公租房/保障性租赁住房优先。" })
  priorityEligible: boolean;

  @Field(() => Boolean, { description: "Rental deposit reduction. 租房押金减免。" })
  depositWaiverEligible: boolean;

  @Field(() => Int)
  consecutiveMonths: number;

  @Field(() => [String], {
    description:
      "Codes of every rule not met: NOT_ENROLLED, ACCOUNT_NOT_ACTIVE, NOT_FLEXIBLE, CONSECUTIVE_MONTHS_BELOW_PRIORITY, CONSECUTIVE_MONTHS_BELOW_WAIVER, UNPAID_IN_RECENT_MONTHS, FRAUD_BAN.",
  })
  reasons: string[];
}
