// Admission control for writers (decision 029): the gate hands out at most `limit` permits, first come first served,
// and the Apollo plugin takes one for mutations only and always gives it back, also for a request another plugin
// refused while this one was still waiting.
import { AdmissionGate, mutationAdmissionPlugin } from "../../../src/graphql/mutation-admission.plugin";

type Listener = {
  didResolveOperation(ctx: { operation: { operation: string } | undefined }): Promise<void>;
  willSendResponse(): Promise<void>;
};

async function request(gate: AdmissionGate): Promise<Listener> {
  const plugin = mutationAdmissionPlugin(gate);
  return (await (plugin.requestDidStart as () => Promise<unknown>)()) as Listener;
}

/** Records, in order, which of the promises settled. */
function track(name: string, p: Promise<unknown>, log: string[]): Promise<void> {
  return p.then(() => void log.push(name));
}

it("refuses a limit that is not a positive integer", () => {
  expect(() => new AdmissionGate(0)).toThrow("admission limit must be a positive integer: 0");
  expect(() => new AdmissionGate(1.5)).toThrow("admission limit must be a positive integer: 1.5");
});

it("admits up to the limit at once and then one per release, in arrival order", async () => {
  const gate = new AdmissionGate(2);
  const admitted: string[] = [];
  const a = track("a", gate.acquire(), admitted);
  const b = track("b", gate.acquire(), admitted);
  await Promise.all([a, b]);
  const c = track("c", gate.acquire(), admitted);
  const d = track("d", gate.acquire(), admitted);
  expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 2, waiting: 2 });

  gate.release();
  await c;
  expect(admitted).toEqual(["a", "b", "c"]);
  expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 2, waiting: 1 });

  gate.release();
  await d;
  expect(admitted).toEqual(["a", "b", "c", "d"]);
  gate.release();
  gate.release();
  expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 0, waiting: 0 });
});

it("says when an operation starts waiting", async () => {
  const gate = new AdmissionGate(1);
  const seen: number[] = [];
  gate.on("waiting", (n: number) => seen.push(n));
  await gate.acquire();
  void gate.acquire();
  void gate.acquire();
  expect(seen).toEqual([1, 2]);
});

it("holds mutations at the limit and never queries", async () => {
  const gate = new AdmissionGate(1);
  const first = await request(gate);
  await first.didResolveOperation({ operation: { operation: "mutation" } });
  expect(gate.active).toBe(1);

  const query = await request(gate);
  await query.didResolveOperation({ operation: { operation: "query" } }); // answers at once, takes nothing
  await query.willSendResponse();
  const unparsed = await request(gate);
  await unparsed.didResolveOperation({ operation: undefined });
  expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 1, waiting: 0 });

  const second = await request(gate);
  const admitted: string[] = [];
  const secondRuns = track("second", second.didResolveOperation({ operation: { operation: "mutation" } }), admitted);
  expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 1, waiting: 1 });

  await first.willSendResponse();
  await secondRuns;
  expect(admitted).toEqual(["second"]);
  await second.willSendResponse();
  expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 0, waiting: 0 });
});

it("gives back the permit of a mutation answered before it was admitted (another plugin refused it)", async () => {
  const gate = new AdmissionGate(1);
  const first = await request(gate);
  await first.didResolveOperation({ operation: { operation: "mutation" } });
  const refused = await request(gate);
  const refusedAdmission = refused.didResolveOperation({ operation: { operation: "mutation" } });
  await refused.willSendResponse(); // Apollo answers at once when any didResolveOperation hook throws
  expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 1, waiting: 1 });

  await first.willSendResponse(); // the permit passes to the refused request, which hands it straight back
  await refusedAdmission;
  const third = await request(gate);
  await third.didResolveOperation({ operation: { operation: "mutation" } }); // would wait forever on a leaked permit
  expect({ active: gate.active, waiting: gate.waiting }).toEqual({ active: 1, waiting: 0 });
  await third.willSendResponse();
  expect(gate.active).toBe(0);
});
