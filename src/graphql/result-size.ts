// What left in one request, added up over every field that answered (aliases included): the exchange record's
// resultSize says what actually left, not what the last field returned.
import type { ExchangeCollector } from "../services/audit/exchange-collector";

const served = new WeakMap<ExchangeCollector, number>();

export function addToResultSize(exchange: ExchangeCollector, count: number): void {
  const total = (served.get(exchange) ?? 0) + count;
  served.set(exchange, total);
  exchange.setResultSize(total);
}
