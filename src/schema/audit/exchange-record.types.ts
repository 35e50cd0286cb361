import { Field, ID, Int, ObjectType } from "type-graphql";

import { PageInfo } from "../common/common.types";
import { Role } from "../common/enums";

@ObjectType({
  simpleResolvers: true,
  description: "One agency read or center action, as recorded in the tamper-evident exchange log. 数据交换日志记录。",
})
export class ExchangeRecord {
  @Field(() => ID)
  id: string;

  @Field(() => String, { description: "ISO 8601 timestamp." })
  at: string;

  @Field(() => Role)
  consumerRole: string;

  @Field(() => String)
  consumerOrg: string;

  @Field(() => String)
  consumerSub: string;

  @Field(() => String, { description: 'e.g. "taxDeductions"' })
  operation: string;

  @Field(() => String, { nullable: true })
  purpose: string | null;

  @Field(() => Int, { description: "How many persons the call touched." })
  subjectCount: number;

  @Field(() => Int, { description: "How many items the answer held." })
  resultSize: number;

  @Field(() => String, { description: "OK, or ERROR when the call was refused or failed." })
  outcome: string;

  @Field(() => String, { description: "Hex digest over the record and prevHash." })
  hash: string;

  @Field(() => String)
  prevHash: string;
}

@ObjectType({ simpleResolvers: true })
export class ExchangeRecordEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => ExchangeRecord)
  node: ExchangeRecord;
}

@ObjectType({ simpleResolvers: true })
export class ExchangeRecordConnection {
  @Field(() => [ExchangeRecordEdge])
  edges: ExchangeRecordEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}

@ObjectType({ simpleResolvers: true, description: "The result of recomputing the whole hash chain." })
export class ChainVerification {
  @Field(() => Boolean)
  ok: boolean;

  @Field(() => Int)
  checked: number;

  @Field(() => ID, { nullable: true })
  firstBrokenId: string | null;
}
