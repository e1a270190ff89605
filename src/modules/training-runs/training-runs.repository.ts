import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { NewTrainingRun, TrainingRunRow, TrainingRunStatus } from './training-runs.table.js';

/** Statuses a run can still be cancelled from; the others are final. */
export const CANCELLABLE: readonly TrainingRunStatus[] = ['QUEUED', 'RUNNING'];

export async function findTrainingRunsByIds(db: Executor, ids: readonly string[]): Promise<TrainingRunRow[]> {
  return db.selectFrom('trainingRuns').selectAll().where('id', 'in', ids).execute();
}

export async function listTrainingRuns(db: Executor, organizationId: number, page: Page): Promise<TrainingRunRow[]> {
  return db
    .selectFrom('trainingRuns')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where(afterCursor('trainingRuns', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countTrainingRuns(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('trainingRuns')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertTrainingRun(db: Executor, values: NewTrainingRun): Promise<TrainingRunRow> {
  return db.insertInto('trainingRuns').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Cancels the run if it is still queued or running; undefined otherwise. The status condition is in
 * the UPDATE itself so that a run finishing concurrently is not turned into CANCELLED afterwards.
 */
export async function cancelTrainingRun(db: Executor, organizationId: number, id: string): Promise<TrainingRunRow | undefined> {
  return db
    .updateTable('trainingRuns')
    .set({ status: 'CANCELLED', updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('status', 'in', CANCELLABLE)
    .returningAll()
    .executeTakeFirst();
}
