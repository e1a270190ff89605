import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import { deleteUnusedArchives } from './archives.repository.js';

// Issue 15 §2, ARCHIVE_RETENTION_HOURS: an archive is uploaded to be deployed; one that no
// deployment was made from within the retention is deleted, so that abandoned uploads stop
// counting against the organization's quota and the database. Archives a deployment was made from
// stay with that deployment's history (its code is served to the runtime and can be redeployed).

/** Archives deleted per transaction: each batch is short, so uploads and deploys go on meanwhile. */
const BATCH = 100;

export async function sweepArchives(db: Db, retentionHours: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await deleteUnusedArchives(db, retentionHours, BATCH);
    if (batch.candidates === 0) return deleted;
    deleted += batch.deleted;
  }
}

/**
 * Sweeps every `intervalMinutes` while the server runs (and once a minute after it starts), as
 * src/ingest/prune-traces.ts prunes traces. One sweep at a time per process; replicas may sweep at
 * once (see deleteUnusedArchives). A failed sweep is logged and the next one tries again.
 */
export function scheduleArchiveSweep(db: Db, retentionHours: number, intervalMinutes: number, logger: Logger): { stop(): Promise<void> } {
  if (retentionHours === 0 || intervalMinutes === 0) return { stop: async () => undefined };
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = sweepArchives(db, retentionHours)
      .then((deleted) => {
        if (deleted > 0) logger.info({ deleted, retentionHours }, 'unused automation archives deleted');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'archive retention sweep failed; the next run tries again'))
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
