import type { Expression } from 'kysely';
import type { Executor } from '../../db/database.js';
import { beforeCursor, type Page } from '../../graphql/pagination.js';
import type { DeploymentRow, DeploymentUpdate, NewDeployment } from './deployments.table.js';

export async function findDeploymentsByIds(db: Executor, ids: readonly string[]): Promise<DeploymentRow[]> {
  return db.selectFrom('automationDeployments').selectAll().where('id', 'in', ids).execute();
}

/** Newest version first: the deployment history of one automation. */
export async function listDeployments(db: Executor, automationId: string, page: Page): Promise<DeploymentRow[]> {
  return db
    .selectFrom('automationDeployments')
    .selectAll()
    .where('automationId', '=', automationId)
    .where(beforeCursor('automationDeployments', page.after))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export async function countDeployments(db: Executor, automationId: string): Promise<number> {
  const row = await db
    .selectFrom('automationDeployments')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('automationId', '=', automationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function latestDeployments(db: Executor, automationIds: readonly string[]): Promise<DeploymentRow[]> {
  return db
    .selectFrom('automationDeployments')
    .selectAll()
    .distinctOn('automationId')
    .where('automationId', 'in', automationIds)
    .orderBy('automationId')
    .orderBy('version', 'desc')
    .execute();
}

/** The newest version that reached the cluster: where a run's kickoff goes (a later FAILED one left it running). */
export async function latestDeployedVersion(db: Executor, automationId: string): Promise<DeploymentRow | undefined> {
  return db
    .selectFrom('automationDeployments')
    .selectAll()
    .where('automationId', '=', automationId)
    .where('status', '=', 'DEPLOYED')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Each automation's newest DEPLOYED version in the organization: where each one runs. */
export async function latestDeployedVersions(db: Executor, organizationId: number): Promise<DeploymentRow[]> {
  return db
    .selectFrom('automationDeployments')
    .selectAll()
    .distinctOn('automationId')
    .where('organizationId', '=', organizationId)
    .where('status', '=', 'DEPLOYED')
    .orderBy('automationId')
    .orderBy('version', 'desc')
    .execute();
}

export async function findVersion(db: Executor, automationId: string, version: number): Promise<DeploymentRow | undefined> {
  return db.selectFrom('automationDeployments').selectAll().where('automationId', '=', automationId).where('version', '=', version).executeTakeFirst();
}

/** The next version number; callers hold the automation's row lock (automations.repository lockAutomation). */
export async function nextVersion(trx: Executor, automationId: string): Promise<number> {
  const row = await trx
    .selectFrom('automationDeployments')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('automationId', '=', automationId)
    .executeTakeFirst();
  return (row?.version ?? 0) + 1;
}

export async function insertDeployment(db: Executor, values: NewDeployment): Promise<DeploymentRow> {
  return db.insertInto('automationDeployments').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateDeployment(db: Executor, id: string, patch: DeploymentUpdate): Promise<DeploymentRow> {
  return db.updateTable('automationDeployments').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Namespaces where any version of the automation was applied (deleting must clean each). */
export async function deployedNamespaces(db: Executor, automationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('automationDeployments')
    .select('namespace')
    .distinct()
    .where('automationId', '=', automationId)
    .where('status', '=', 'DEPLOYED')
    .execute();
  return rows.map((row) => row.namespace);
}

/** Those of `ids` still PENDING or PROVISIONING become FAILED (retryable) with `message`; returns how many. */
export async function failUnfinishedDeployments(db: Executor, ids: readonly string[], message: string): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('automationDeployments')
    .set({ status: 'FAILED', retryable: true, message, finishedAt: new Date() })
    .where('id', 'in', ids)
    .where('status', 'in', ['PENDING', 'PROVISIONING'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * The deployments made from an archive, as a subquery for the archives module: an archive some
 * version was deployed from is kept (its retention sweep, src/modules/archives/archive-retention.ts),
 * so that the version's code can still be served and redeployed.
 */
export function deploymentsOfArchive(db: Executor, archiveId: Expression<string>) {
  return db.selectFrom('automationDeployments').select('automationDeployments.id').where('automationDeployments.archiveId', '=', archiveId);
}
