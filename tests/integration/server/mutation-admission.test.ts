// Admission control for writers (decision 029, HUB_MAX_CONCURRENT_MUTATIONS): with a cap of 1, a second mutation
// does not start while the first runs (it waits, having done nothing), a query is answered meanwhile, and both
// mutations complete in turn with their normal results. The first enrolment is held inside its national-platform
// check, so the test waits on events (the check being entered, the gate's "waiting"), never on a clock.
import { once } from "node:events";

import type { NationalPersonCheck } from "../../../src/connectors/national-platform/national-platform.port";
import { ENROL, enrolInput, freshIdNumber } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ maxConcurrentMutations: 1 });
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

type EnrolAnswer = { enrollWorker: { account: { idNumber: string; name: string; status: string } | null } };

it("runs one mutation at a time at a cap of 1, and answers queries meanwhile", async () => {
  const gate = t.hub.server.admission!;
  expect(gate.limit).toBe(1);
  const national = t.hub.services.national;
  const check = national.checkPerson.bind(national);
  const entered: string[] = [];
  const held = new Map<string, () => void>();
  const enteredEvents = new EventTarget();
  national.checkPerson = async (idNumber, ctx): Promise<NationalPersonCheck> => {
    entered.push(idNumber);
    await new Promise<void>((go) => {
      held.set(idNumber, go);
      enteredEvents.dispatchEvent(new Event(idNumber));
    });
    return check(idNumber, ctx);
  };
  const enteredCheck = (idNumber: string) =>
    held.has(idNumber) ? Promise.resolve() : once(enteredEvents, idNumber).then(() => undefined);
  try {
    const [first, second] = [freshIdNumber("1988-03-04"), freshIdNumber("1989-05-06")];
    const firstAnswer = t.gql<EnrolAnswer>(ENROL, { input: enrolInput({ idNumber: first, name: "王一" }) });
    await enteredCheck(first);

    const secondWaits = once(gate, "waiting");
    const secondAnswer = t.gql<EnrolAnswer>(ENROL, { input: enrolInput({ idNumber: second, name: "王二" }) });
    await secondWaits;
    expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 1, waiting: 1 });

    const read = await t.gql(`query { account(accountNumber: "9999999999999999") { accountNumber } }`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ data: { account: null } });
    expect(entered).toEqual([first]); // the second enrolment has not started

    held.get(first)!();
    const one = await firstAnswer;
    expect(one.body.data!.enrollWorker.account).toMatchObject({ idNumber: first, name: "王一", status: "ACTIVE" });

    await enteredCheck(second);
    expect(entered).toEqual([first, second]);
    held.get(second)!();
    const two = await secondAnswer;
    expect(two.body.data!.enrollWorker.account).toMatchObject({ idNumber: second, name: "王二", status: "ACTIVE" });
    expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 0, waiting: 0 });
  } finally {
    national.checkPerson = check;
    for (const go of held.values()) go();
  }
});

it("has no gate when no cap is set", async () => {
  const plain = await startTestHub();
  try {
    expect(plain.hub.server.admission).toBeUndefined();
  } finally {
    await plain.close();
  }
});
