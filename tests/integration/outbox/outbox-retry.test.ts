// The outbox's failure path: a registration for the national platform, due while the platform is down, is retried
// with a doubling backoff (not before it is due), every attempt counted with its error, and delivered exactly once
// when the platform is back. The hub's own timer is stopped: each round is driven here, and "time passing" is the
// message being made due again in the database, so nothing waits on a clock.
import { freshIdNumber } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  await t.hub.outbox.stop();
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

const REGISTER = "/v1/accounts/register";
const registerCalls = () => t.national.control.requests().filter((r) => r.path === REGISTER).length;

it("retries a registration while the platform is down, backing off, and delivers it once when it is up", async () => {
  const idNumber = freshIdNumber("1988-11-30");
  const accountNumber = "1405000000099901";
  const message = await t.hub.db.prisma.outboxMessage.create({
    data: {
      topic: "national.registerAccount",
      // The payload enrollWorker writes in its transaction.
      payload: { idNumber, centerCode: "140500", accountNumber, kind: "FLEXIBLE", by: "center_operator-test" },
    },
  });
  const row = () => t.hub.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: message.id } });
  const makeDue = () =>
    t.hub.db.prisma
      .$executeRaw`UPDATE outbox_message SET next_attempt_at = now() - interval '1 second' WHERE id = ${message.id}`;
  /** One round; returns how many were delivered and the window the next attempt must fall into. */
  const round = async () => {
    const from = Date.now();
    const delivered = await t.hub.outbox.dispatchDue();
    return { delivered, from, to: Date.now() };
  };

  t.national.control.setMode("down");
  const first = await round();
  expect(first.delivered).toBe(0);
  let r = await row();
  expect({ attempts: r.attempts, done: r.doneAt !== null }).toEqual({ attempts: 1, done: false });
  expect(r.lastError).toEqual(expect.any(String));
  // 1 s x 2^attempts: the second attempt is due 2 s after the first failed.
  expect(r.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(first.from + 2000);
  expect(r.nextAttemptAt.getTime()).toBeLessThanOrEqual(first.to + 2000);

  // Not due yet: a round now leaves it alone (no call to the platform, no attempt counted).
  const callsBefore = t.national.control.requestCount();
  expect((await round()).delivered).toBe(0);
  expect(t.national.control.requestCount()).toBe(callsBefore);
  expect((await row()).attempts).toBe(1);

  await makeDue();
  const second = await round();
  expect(second.delivered).toBe(0);
  r = await row();
  expect(r.attempts).toBe(2);
  expect(r.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(second.from + 4000); // then 4 s
  expect(r.nextAttemptAt.getTime()).toBeLessThanOrEqual(second.to + 4000);
  expect(t.national.control.accounts().filter((a) => a.idNumber === idNumber)).toEqual([]);

  t.national.control.setMode("up");
  t.national.control.resetRequests();
  await makeDue();
  expect((await round()).delivered).toBe(1);
  r = await row();
  expect({ attempts: r.attempts, done: r.doneAt !== null, lastError: r.lastError }).toEqual({
    attempts: 3,
    done: true,
    lastError: null,
  });
  expect(registerCalls()).toBe(1);
  expect(t.national.control.accounts().filter((a) => a.idNumber === idNumber)).toEqual([
    expect.objectContaining({ idNumber, centerCode: "140500", accountNumber, status: "ACTIVE" }),
  ]);

  // Delivered is done: later rounds never send it again.
  await round();
  await round();
  expect(registerCalls()).toBe(1);
});
