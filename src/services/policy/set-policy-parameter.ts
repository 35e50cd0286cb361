// setPolicyParameter: a new value with its effective date; history is never rewritten (insert-only table).
import { dateToString, stringToDate } from "../../db/dates";
import { formatMoney, toMoney } from "../../domain/money/money";
import { PARAMETERS_BY_KEY, parameterValueProblem } from "../../domain/policy/parameter-catalog";
import type { Actor, HubServices } from "../hub-services";
import { type Outcome, runIdempotent } from "../idempotency";
import { userError } from "../user-error";

export interface SetPolicyParameterCommand {
  key: string;
  value: string;
  effectiveFrom: string;
  source?: string | null;
  idempotencyKey: string;
}

export interface PolicyParameterView {
  key: string;
  value: string;
  unit: string | null;
  effectiveFrom: string;
  source: string | null;
}

/** A floor above the ceiling (or the reverse) on the date the new value takes effect is refused. */
async function limitsProblem(hub: HubServices, c: SetPolicyParameterCommand) {
  const pair: Record<string, [string, "floor" | "ceiling"]> = {
    "deposit.monthlyMin": ["deposit.monthlyMax", "floor"],
    "deposit.monthlyMax": ["deposit.monthlyMin", "ceiling"],
  };
  const counterpart = pair[c.key];
  if (!counterpart) return null;
  const other = (await hub.policy.on(c.effectiveFrom)).money(counterpart[0]);
  const value = toMoney(c.value);
  const broken = counterpart[1] === "floor" ? value.greaterThan(other) : value.lessThan(other);
  return broken
    ? userError(
        "LIMITS_INCONSISTENT",
        `月缴存额下限不得高于上限（${c.effectiveFrom} 起另一端为 ${formatMoney(other)} 元）`,
        "value",
      )
    : null;
}

export async function setPolicyParameter(
  hub: HubServices,
  actor: Actor,
  c: SetPolicyParameterCommand,
): Promise<Outcome<PolicyParameterView>> {
  const problem = parameterValueProblem(c.key, c.value);
  if (problem)
    return {
      userErrors: [
        userError(
          PARAMETERS_BY_KEY.has(c.key) ? "INVALID_PARAMETER_VALUE" : "UNKNOWN_PARAMETER",
          problem,
          PARAMETERS_BY_KEY.has(c.key) ? "value" : "key",
        ),
      ],
    };
  if (c.source && c.source.length > 500)
    return { userErrors: [userError("SOURCE_TOO_LONG", "来源说明不超过 500 个字符", "source")] };
  const definition = PARAMETERS_BY_KEY.get(c.key)!;
  const inconsistent = await limitsProblem(hub, c);
  if (inconsistent) return { userErrors: [inconsistent] };
  const outcome = await runIdempotent<PolicyParameterView>(
    hub.prisma,
    { key: c.idempotencyKey, operation: "setPolicyParameter", actor: actor.sub, exchange: actor.exchange, input: c },
    async (tx) => {
      const row = await tx.policyParameter.create({
        data: {
          key: c.key,
          value: c.value,
          unit: definition.unit,
          effectiveFrom: stringToDate(c.effectiveFrom),
          source: c.source ?? null,
          recordedBy: `${actor.role}:${actor.org}:${actor.sub}`,
        },
      });
      return {
        ok: {
          key: row.key,
          value: row.value,
          unit: row.unit,
          effectiveFrom: dateToString(row.effectiveFrom),
          source: row.source,
        },
      };
    },
  );
  if ("ok" in outcome) hub.policy.invalidate();
  return outcome;
}
