import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import { schedulePeriodic, type Periodic } from '../../periodic.js';
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
 * src/ingest/prune-traces.ts prunes traces. Replicas may sweep at once (see deleteUnusedArchives).
 */
export function scheduleArchiveSweep(db: Db, retentionHours: number, intervalMinutes: number, logger: Logger): Periodic {
  if (retentionHours === 0) return { stop: async () => undefined };
  return schedulePeriodic(
    intervalMinutes,
    async () => {
      const deleted = await sweepArchives(db, retentionHours);
      if (deleted > 0) logger.info({ deleted, retentionHours }, 'unused automation archives deleted');
    },
    logger,
    'archive retention sweep failed; the next run tries again',
  );
}
