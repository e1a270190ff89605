import { LimitCode, LimitError } from './limit-error.js';

interface Waiter {
  key: string;
  start: () => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * How many heavy operations (a cost of HEAVY_OPERATION_COST or more: long pages, large values)
 * run at once: HEAVY_OPERATIONS_PER_PRINCIPAL for one token or session, HEAVY_OPERATIONS in the
 * process. The others wait their turn, first come first served, until their deadline. The cost
 * limit bounds one operation; this bounds how many of them share the process's memory and its
 * one JavaScript thread, so that one tenant's parallel worst-case reads cannot starve another
 * tenant's small ones (bench/response-memory.ts measures both).
 */
export class HeavyOperationGate {
  private running = 0;
  private readonly perKey = new Map<string, number>();
  private readonly queue: Waiter[] = [];

  constructor(
    readonly perPrincipal: number,
    readonly total: number,
  ) {}

  /** Resolves to a release function once the operation may run; rejects with HEAVY_OPERATIONS_BUSY past `deadline`. */
  async acquire(key: string, deadline: number): Promise<() => void> {
    // A principal's operations keep their order; another principal's may pass them.
    if (this.mayStart(key) && !this.queue.some((waiter) => waiter.key === key)) return this.start(key);
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { key, start: () => resolve(this.start(key)), timer: undefined };
      waiter.timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(waiter), 1);
        reject(this.busy());
      }, Math.max(0, deadline - Date.now()));
      this.queue.push(waiter);
    });
  }

  private mayStart(key: string): boolean {
    return this.running < this.total && (this.perKey.get(key) ?? 0) < this.perPrincipal;
  }

  private start(key: string): () => void {
    this.running++;
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const left = (this.perKey.get(key) ?? 1) - 1;
      if (left === 0) this.perKey.delete(key);
      else this.perKey.set(key, left);
      this.next();
    };
  }

  /** Starts the first waiters that may run; one principal's queued operations do not hold back another's. */
  private next(): void {
    for (let i = 0; i < this.queue.length && this.running < this.total; ) {
      const waiter = this.queue[i] as Waiter;
      if (!this.mayStart(waiter.key)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      clearTimeout(waiter.timer);
      waiter.start();
    }
  }

  private busy(): LimitError {
    return new LimitError(
      LimitCode.HEAVY_OPERATIONS_BUSY,
      { name: 'heavyOperations', max: this.perPrincipal },
      `Too many heavy operations (long pages or large values) were waiting: this one did not start before its deadline. Run fewer at once (at most ${this.perPrincipal} per token run side by side), or ask for smaller pages.`,
      503,
      { 'retry-after': '1' },
    );
  }
}
