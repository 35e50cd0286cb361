import { CircuitBreaker } from "../../../src/connectors/http/circuit-breaker";

function breakerAt(start = 0) {
  const clock = { now: start };
  return { clock, breaker: new CircuitBreaker(2, 1000, () => clock.now) };
}

describe("CircuitBreaker", () => {
  test("stays closed while failures are not consecutive", () => {
    const { breaker } = breakerAt();
    breaker.onFailure({ trial: false });
    breaker.onSuccess({ trial: false });
    breaker.onFailure({ trial: false });
    expect(breaker.state()).toBe("CLOSED");
  });

  test("opens after the threshold of consecutive failures and refuses calls", () => {
    const { breaker } = breakerAt();
    breaker.onFailure({ trial: false });
    breaker.onFailure({ trial: false });
    expect(breaker.state()).toBe("OPEN");
    expect(breaker.tryAcquire()).toBeNull();
  });

  test("half-opens after the reset time and grants exactly one trial", () => {
    const { clock, breaker } = breakerAt();
    breaker.onFailure({ trial: false });
    breaker.onFailure({ trial: false });
    clock.now = 1000;
    expect(breaker.state()).toBe("HALF_OPEN");
    const trial = breaker.tryAcquire();
    expect(trial).toEqual({ trial: true });
    expect(breaker.tryAcquire()).toBeNull();
    breaker.onSuccess(trial!);
    expect(breaker.state()).toBe("CLOSED");
  });

  test("restarts the wait when the trial fails", () => {
    const { clock, breaker } = breakerAt();
    breaker.onFailure({ trial: false });
    breaker.onFailure({ trial: false });
    clock.now = 1500;
    breaker.onFailure(breaker.tryAcquire()!);
    clock.now = 2400;
    expect(breaker.state()).toBe("OPEN");
    clock.now = 2500;
    expect(breaker.state()).toBe("HALF_OPEN");
  });
});
