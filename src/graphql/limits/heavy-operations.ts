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
 *
 * Turns alone still let one principal keep the thread busy back to back: a principal's heavy
 * operations also take at most `share` of the time (HEAVY_OPERATION_SHARE_PERCENT). After one
 * that took t ms, the principal's next starts no sooner than t × (1 / share − 1) ms later. Time,
 * not bytes or cost, because time is what the other tenants wait for, whatever made it (database
 * reads, JSON, garbage collection); and under load operations take longer, so the pause grows
 * with it.
 */
export class HeavyOperationGate {
  private running = 0;
  private readonly perKey = new Map<string, number>();
  private readonly queue: Waiter[] = [];
  /** When each principal that used its share may start again (epoch ms); passed entries are dropped. */
  private readonly resting = new Map<string, number>();
  private wake: NodeJS.Timeout | undefined;

  constructor(
    readonly perPrincipal: number,
    readonly total: number,
    /** The fraction of time (0 < share ≤ 1) one principal's heavy operations may take. */
    readonly share = 1,
  ) {}

  /** Resolves to a release function once the operation may run; rejects with HEAVY_OPERATIONS_BUSY past `deadline`. */
  async acquire(key: string, deadline: number): Promise<() => void> {
    // A principal's operations keep their order; another principal's may pass them.
    if (this.mayStart(key) && !this.queue.some((waiter) => waiter.key === key)) return this.start(key);
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { key, start: () => resolve(this.start(key)), timer: undefined };
      waiter.timer = setTimeout(
        () => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          reject(this.busy(key));
        },
        Math.max(0, deadline - Date.now()),
      );
      this.queue.push(waiter);
      // Not only a timer for rests: the check above may have found the principal's rest over and
      // dropped it, and a waiter queued on that rest would then wait for its deadline. next()
      // starts every waiter that may start now, in order, and sets the timer for the others.
      this.next();
    });
  }

  private mayStart(key: string): boolean {
    return this.running < this.total && (this.perKey.get(key) ?? 0) < this.perPrincipal && !this.isResting(key);
  }

  private isResting(key: string, now = Date.now()): boolean {
    const until = this.resting.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.resting.delete(key);
    return false;
  }

  private start(key: string): () => void {
    this.running++;
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
    const started = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      if (this.share < 1) {
        const now = Date.now();
        this.resting.set(key, Math.max(this.resting.get(key) ?? 0, now) + (now - started) * (1 / this.share - 1));
      }
      const left = (this.perKey.get(key) ?? 1) - 1;
      if (left === 0) this.perKey.delete(key);
      else this.perKey.set(key, left);
      this.next();
    };
  }

  /** Starts the first waiters that may run; one principal's queued operations do not hold back another's. */
  private next(): void {
    for (let i = 0; i < this.queue.length && this.running < this.total;) {
      const waiter = this.queue[i] as Waiter;
      if (!this.mayStart(waiter.key)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      clearTimeout(waiter.timer);
      waiter.start();
    }
    this.wakeForResting();
  }

  /** Waiters held back only by their principal's rest need a call to next() when it ends: nothing else would come. */
  private wakeForResting(): void {
    clearTimeout(this.wake);
    this.wake = undefined;
    const now = Date.now();
    let earliest = Infinity;
    for (const waiter of this.queue) {
      const until = this.resting.get(waiter.key);
      if (until === undefined) continue;
      // A rest that ended since next() looked is woken at once, never missed; dropped here so
      // that a waiter held back by the turns, not its rest, does not wake next() again and again.
      if (until <= now) this.resting.delete(waiter.key);
      earliest = Math.min(earliest, until);
    }
    if (earliest === Infinity) return;
    this.wake = setTimeout(() => this.next(), Math.max(0, earliest - now));
    this.wake.unref();
  }

  private busy(key: string): LimitError {
    const restMs = (this.resting.get(key) ?? 0) - Date.now();
    const share = this.share < 1 ? `, and one's heavy operations take at most ${Math.round(this.share * 100)}% of the time` : '';
    return new LimitError(
      LimitCode.HEAVY_OPERATIONS_BUSY,
      { name: 'heavyOperations', max: this.perPrincipal },
      `Too many heavy operations (long pages or large values) were waiting: this one did not start before its deadline. Run fewer at once (at most ${this.perPrincipal} of one user or service account run side by side${share}), or ask for smaller pages or fewer large fields.`,
      503,
      { 'retry-after': String(Math.max(1, Math.ceil(restMs / 1000))) },
    );
  }
}
