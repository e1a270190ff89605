import { sql } from 'kysely';
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
    .values({ organizationId, namespace, mode, readyAt: now, provisioningUntil: null, updatedAt: now })
    .onConflict((oc) => oc.column('organizationId').doUpdateSet({ namespace, mode, readyAt: now, provisioningUntil: null, updatedAt: now }))
    .execute();
}

/** The namespace vanished or lost its binding: the next deploy provisions it again. */
export async function markNamespaceStale(db: Executor, organizationId: number): Promise<void> {
  await db.updateTable('organizationNamespaces').set({ readyAt: null, updatedAt: new Date() }).where('organizationId', '=', organizationId).execute();
}

/**
 * Takes the lease on provisioning the organization's namespace, in one statement: granted when
 * nobody holds it (or the holder's lease ran out: a replica that died mid-way) and the record is
 * not already ready for this namespace and mode. The clock is the database's, shared by every
 * replica.
 */
export async function claimNamespaceProvisioning(
  db: Executor,
  organizationId: number,
  namespace: string,
  mode: NamespaceMode,
  leaseMs: number,
): Promise<boolean> {
  const until = sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`;
  const claimed = await db
    .insertInto('organizationNamespaces')
    .values({ organizationId, namespace, mode, readyAt: null, provisioningUntil: until, updatedAt: sql<Date>`now()` })
    .onConflict((oc) =>
      oc
        .column('organizationId')
        .doUpdateSet({ namespace, mode, readyAt: null, provisioningUntil: until, updatedAt: sql<Date>`now()` })
        .where((eb) =>
          eb.and([
            eb.or([eb('organizationNamespaces.provisioningUntil', 'is', null), eb('organizationNamespaces.provisioningUntil', '<', sql<Date>`now()`)]),
            eb.not(
              eb.and([
                eb('organizationNamespaces.readyAt', 'is not', null),
                eb('organizationNamespaces.namespace', '=', namespace),
                eb('organizationNamespaces.mode', '=', mode),
              ]),
            ),
          ]),
        ),
    )
    .returning('organizationId')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Provisioning failed: give the lease back so that the next deploy, from any replica, tries at once. */
export async function releaseNamespaceProvisioning(db: Executor, organizationId: number): Promise<void> {
  await db.updateTable('organizationNamespaces').set({ provisioningUntil: null }).where('organizationId', '=', organizationId).execute();
}
