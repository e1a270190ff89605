import type { Logger } from 'pino';

export interface Periodic {
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMinutes` while the server runs, and once a minute after it starts:
 * the housekeeping of trace pruning and archive retention. One run at a time per process (a run
 * still going when the next is due skips it); a failed run is logged with `failure` and the next
 * one tries again. `stop` waits for a run in progress. `intervalMinutes` 0 runs nothing.
 */
export function schedulePeriodic(intervalMinutes: number, work: () => Promise<void>, logger: Logger, failure: string): Periodic {
  if (intervalMinutes === 0) return { stop: async () => undefined };
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = work()
      .catch((error: unknown) => logger.error({ err: error }, failure))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(tick, 60_000);
  const timer = setInterval(tick, intervalMinutes * 60_000);
  first.unref();
  timer.unref();
  return {
    stop: async () => {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
