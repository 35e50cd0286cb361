import { Field, ObjectType } from "type-graphql";

@ObjectType({
  simpleResolvers: true,
  description: "A business-rule outcome of a mutation: a stable code, the input field, a message for staff (Chinese).",
})
export class UserError {
  @Field(() => String)
  code: string;

  @Field(() => String, { nullable: true })
  field?: string | null;

  @Field(() => String)
  message: string;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}
