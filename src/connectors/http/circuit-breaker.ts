/** A consecutive-failure circuit breaker: CLOSED → OPEN after `failureThreshold` failures in a row →
 *  HALF_OPEN once `resetAfterMs` has passed (exactly one trial call) → CLOSED on its success, OPEN again
 *  on its failure. The state is derived from the clock when asked, so no timer is ever left running. */

export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN";

/** Permission to make one call; `trial` marks the single half-open probe. */
export interface BreakerPermit {
  readonly trial: boolean;
}

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly resetAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  state(): BreakerState {
    if (this.openedAt === null) return "CLOSED";
    return this.now() - this.openedAt >= this.resetAfterMs ? "HALF_OPEN" : "OPEN";
  }

  /** A permit to call, or null when the call must fail fast. */
  tryAcquire(): BreakerPermit | null {
    const state = this.state();
    if (state === "CLOSED") return { trial: false };
    if (state === "OPEN" || this.trialInFlight) return null;
    this.trialInFlight = true;
    return { trial: true };
  }

  onSuccess(permit: BreakerPermit): void {
    if (permit.trial) this.trialInFlight = false;
    this.consecutiveFailures = 0;
    this.openedAt = null;
  }

  onFailure(permit: BreakerPermit): void {
    if (permit.trial) this.trialInFlight = false;
    if (this.openedAt !== null) {
      // A failed trial (or a late failure of a call started before opening) restarts the wait.
      this.openedAt = this.now();
      return;
    }
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= this.failureThreshold) this.openedAt = this.now();
  }
}
