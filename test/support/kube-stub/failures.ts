import type { Failure } from './types.js';

/**
 * Injected failures. Each request takes the first queued failure whose method and path match
 * (consuming one of its `times`); later failures wait their turn.
 */

export interface Planned {
  /** Status to answer with, or null to serve the request normally (after the delay). */
  status: number | null;
  delayMs: number;
  hang: boolean;
}

interface Queued {
  failure: Failure;
  remaining: number;
}

export class FailureQueue {
  private queue: Queued[] = [];
  /** Extra delay before every request is served (randomized interleavings); null: none. */
  latency: ((method: string, path: string) => number) | null = null;
  /** Answers for the requests hung by `hang: true`, called by `releaseHung()`. */
  hung: Array<() => void> = [];

  add(failure: Failure): void {
    const times = failure.times ?? 1;
    if (!(times > 0)) throw new Error(`kube-stub: failNext times must be positive, got ${times}`);
    if (failure.status !== undefined && (!Number.isInteger(failure.status) || failure.status < 400 || failure.status > 599)) {
      throw new Error(`kube-stub: failNext status must be an HTTP error status (400-599), got ${failure.status}`);
    }
    this.queue.push({ failure: { ...failure }, remaining: times });
  }

  take(method: string, path: string): Planned | null {
    const index = this.queue.findIndex(({ failure }) => {
      if (failure.method !== undefined && failure.method.toUpperCase() !== method.toUpperCase()) return false;
      return failure.path === undefined || path.search(failure.path) >= 0;
    });
    const entry = this.queue[index];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue.splice(index, 1);
    const { status, delayMs, hang } = entry.failure;
    const passThrough = status === undefined && (delayMs !== undefined || hang === true);
    return { status: passThrough ? null : (status ?? 500), delayMs: delayMs ?? 0, hang: hang === true };
  }

  clear(): void {
    this.queue = [];
    this.latency = null;
  }
}
