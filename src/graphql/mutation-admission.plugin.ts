// Admission control for writers (issue 12, decision 029): at most `limit` mutation operations of this process
// execute at once; the next ones wait, in arrival order, after they were parsed and validated and before anything of
// theirs runs, and start as soon as one of the running ones has its answer. Queries never wait here. A waiting
// mutation has done nothing yet, so a client that gives up leaves no trace; one that is admitted runs as it always
// did (idempotency, the exchange log and the group commit are unchanged; group-commit batches are at most `limit`).
import { EventEmitter } from "node:events";

import type { ApolloServerPlugin } from "@apollo/server";

import type { HubContext } from "../context";

/** A counting semaphore: `acquire` resolves when one of `limit` permits is free (first come, first served).
 *  Emits "waiting" when an operation joins the queue (tests wait on it; nothing in the hub listens). */
export class AdmissionGate extends EventEmitter {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly limit: number) {
    super();
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`admission limit must be a positive integer: ${limit}`);
  }

  /** Operations holding a permit. */
  get active(): number {
    return this.running;
  }

  /** Operations waiting for one. */
  get waiting(): number {
    return this.queue.length;
  }

  acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    const admitted = new Promise<void>((admit) => this.queue.push(admit));
    this.emit("waiting", this.queue.length);
    return admitted;
  }

  /** Hands the permit to the longest waiting operation, or frees it. */
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running -= 1;
  }
}

export function mutationAdmissionPlugin(gate: AdmissionGate): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      let admission: Promise<void> | null = null;
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== "mutation") return;
          admission = gate.acquire();
          await admission;
        },
        async willSendResponse() {
          // Released once admitted: another plugin's didResolveOperation may refuse the request (Apollo answers at
          // once) while this one still waits; its permit is then handed on as soon as it is given.
          const held = admission;
          admission = null;
          if (held) void held.then(() => gate.release());
        },
      };
    },
  };
}
