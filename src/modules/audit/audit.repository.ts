import type { Executor } from '../../db/database.js';
import { beforeCursor, type Page } from '../../graphql/pagination.js';
import type { AuditEntryRow, NewAuditEntry } from './audit.table.js';

export async function insertAuditEntry(trx: Executor, entry: NewAuditEntry): Promise<void> {
  await trx.insertInto('auditLog').values(entry).execute();
}

export interface AuditFilter {
  action?: string | null;
  actorUserId?: string | null;
  actorServiceAccountId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

function filtered(db: Executor, organizationId: number, filter: AuditFilter) {
  return db
    .selectFrom('auditLog')
    .where('organizationId', '=', organizationId)
    .$if(Boolean(filter.action), (qb) => qb.where('action', '=', filter.action ?? ''))
    .$if(Boolean(filter.actorUserId), (qb) => qb.where('actorUserId', '=', filter.actorUserId ?? ''))
    .$if(Boolean(filter.actorServiceAccountId), (qb) => qb.where('actorServiceAccountId', '=', filter.actorServiceAccountId ?? ''))
    .$if(Boolean(filter.targetType), (qb) => qb.where('targetType', '=', filter.targetType ?? ''))
    .$if(Boolean(filter.targetId), (qb) => qb.where('targetId', '=', filter.targetId ?? ''))
    .$if(Boolean(filter.since), (qb) => qb.where('createdAt', '>=', filter.since ?? new Date(0)))
    .$if(Boolean(filter.until), (qb) => qb.where('createdAt', '<', filter.until ?? new Date(0)));
}

/** Newest first. */
export async function listAuditEntries(db: Executor, organizationId: number, filter: AuditFilter, page: Page): Promise<AuditEntryRow[]> {
  return filtered(db, organizationId, filter)
    .selectAll()
    .where(beforeCursor('auditLog', page.after))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export async function countAuditEntries(db: Executor, organizationId: number, filter: AuditFilter): Promise<number> {
  const row = await filtered(db, organizationId, filter).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}
