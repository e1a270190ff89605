import type { Executor } from '../../db/database.js';
import type { NamespaceMode, OrganizationNamespaceRow } from './namespaces.table.js';

export async function findNamespaceRecord(db: Executor, organizationId: number): Promise<OrganizationNamespaceRow | undefined> {
  return db.selectFrom('organizationNamespaces').selectAll().where('organizationId', '=', organizationId).executeTakeFirst();
}

export async function listNamespaceRecords(db: Executor): Promise<OrganizationNamespaceRow[]> {
  return db.selectFrom('organizationNamespaces').selectAll().orderBy('organizationId').execute();
}

export async function markNamespaceReady(db: Executor, organizationId: number, namespace: string, mode: NamespaceMode): Promise<void> {
  const now = new Date();
  await db
    .insertInto('organizationNamespaces')
    .values({ organizationId, namespace, mode, readyAt: now, updatedAt: now })
    .onConflict((oc) => oc.column('organizationId').doUpdateSet({ namespace, mode, readyAt: now, updatedAt: now }))
    .execute();
}

/** The namespace vanished or lost its binding: the next deploy provisions it again. */
export async function markNamespaceStale(db: Executor, organizationId: number): Promise<void> {
  await db.updateTable('organizationNamespaces').set({ readyAt: null, updatedAt: new Date() }).where('organizationId', '=', organizationId).execute();
}
