// recordFraudBan (CENTER_ADMIN): the center's decision on a fraudulent withdrawal or loan. `until` = decision date +
// the years of the kind in force on the decision date. Idempotent on the key (a replay answers the stored ban); the
// exchange record of the action is written with it (runCommand -> runIdempotent), touching the person.
import { type BanKind, banUntil, isBanKind } from "../../domain/risk/fraud-ban.rule";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { MissingParameterError } from "../policy/policy-parameters.service";
import { userError } from "../user-error";
import { banYears, type FraudBanView, storeBan } from "./fraud-bans";

export interface RecordFraudBanCommand {
  idNumber: string;
  kind: BanKind | string;
  decidedOn: string;
  reason: string;
  idempotencyKey: string;
}

export interface RecordedFraudBan extends FraudBanView {
  /** The person banned (for the exchange record; not part of the contract's FraudBan). */
  idNumber: string;
}

const MAX_REASON = 500;

export async function recordFraudBan(
  hub: Pick<HubServices, "prisma" | "policy">,
  actor: Actor,
  c: RecordFraudBanCommand,
): Promise<Outcome<RecordedFraudBan>> {
  const reason = c.reason.trim();
  if (reason.length === 0 || reason.length > MAX_REASON)
    return { userErrors: [userError("INVALID_REASON", `惩戒原因不能为空且不超过 ${MAX_REASON} 个字符`, "reason")] };
  if (!isBanKind(c.kind)) return { userErrors: [userError("INVALID_BAN_KIND", "惩戒类型无效", "kind")] };
  const kind = c.kind;
  let years;
  try {
    years = banYears(await hub.policy.on(c.decidedOn));
  } catch (e) {
    if (!(e instanceof MissingParameterError)) throw e;
    return { userErrors: [userError("NO_PARAMETERS_IN_FORCE", `${c.decidedOn} 没有生效的惩戒年限参数`, "decidedOn")] };
  }
  const idNumber = c.idNumber.toUpperCase();
  return runCommand<RecordedFraudBan>(hub.prisma, {
    request: {
      key: c.idempotencyKey,
      operation: "recordFraudBan",
      actor: actor.sub,
      exchange: actor.exchange,
      input: { ...c, idNumber },
    },
    transaction: async (tx) => {
      const person = await tx.person.findUnique({ where: { idNumber }, select: { id: true } });
      if (!person) return { userErrors: [userError("PERSON_NOT_FOUND", "该人员在本中心没有缴存记录", "idNumber")] };
      const ban = await storeBan(tx, {
        personId: person.id,
        kind,
        decidedOn: c.decidedOn,
        until: banUntil(kind, c.decidedOn, years),
        reason,
        source: "CENTER",
        sourceRef: c.idempotencyKey,
        recordedBy: actor.sub,
      });
      return { ok: { ...ban, idNumber } };
    },
  });
}
