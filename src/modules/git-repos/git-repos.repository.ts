import type { Db, Executor } from '../../db/database.js';
import { deleteGrantsOf, replaceGrants, visibleUnderAccessList, type AccessEntry } from '../../authz/entity-grants.repository.js';
import type { VisibilityScope } from '../../authz/principal.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { SealedReadCredential } from './git-read-credential.js';
import type { GitRepoRow, NewGitRepo } from './git-repos.table.js';
import { inTransaction } from '../../db/transaction.js';

// SPEC §3 Git RBAC: with it on, every repository is restricted to its access list (there is no
// per-repository flag), so the predicate gets no "restricted" column.
const visible = (scope: VisibilityScope) => visibleUnderAccessList(scope, 'GIT_REPO', 'gitRepos.id');

export async function findGitReposByIds(db: Executor, ids: readonly string[]): Promise<GitRepoRow[]> {
  return db.selectFrom('gitRepos').selectAll().where('id', 'in', ids).execute();
}

export async function listGitRepos(db: Executor, scope: VisibilityScope, page: Page): Promise<GitRepoRow[]> {
  return db
    .selectFrom('gitRepos')
    .selectAll()
    .where('organizationId', '=', scope.organizationId)
    .where(visible(scope))
    .where(afterCursor('gitRepos', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countGitRepos(db: Executor, scope: VisibilityScope): Promise<number> {
  const row = await db
    .selectFrom('gitRepos')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', scope.organizationId)
    .where(visible(scope))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Whether the scope may use this repository (listing it, deploying from it). */
export async function isGitRepoVisible(db: Executor, id: string, scope: VisibilityScope): Promise<boolean> {
  const row = await db
    .selectFrom('gitRepos')
    .select('id')
    .where('organizationId', '=', scope.organizationId)
    .where('id', '=', id)
    .where(visible(scope))
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertGitRepo(db: Executor, values: NewGitRepo): Promise<GitRepoRow> {
  return db.insertInto('gitRepos').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Sets or replaces (`sealed`) or clears (`null`) the repository's read credential. */
export async function setGitRepoReadCredential(
  db: Executor,
  organizationId: number,
  id: string,
  sealed: SealedReadCredential | null,
): Promise<GitRepoRow | undefined> {
  return db
    .updateTable('gitRepos')
    .set(sealed ?? { readCredentialCiphertext: null, readCredentialUsername: null, readCredentialUpdatedAt: null })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Replaces the access list; the row is locked so a concurrent disconnect cannot leave orphan entries. */
export async function setGitRepoAccessList(
  db: Db,
  organizationId: number,
  id: string,
  entries: readonly AccessEntry[],
): Promise<GitRepoRow | undefined> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('gitRepos')
      .selectAll()
      .where('organizationId', '=', organizationId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (row) await replaceGrants(trx, organizationId, 'GIT_REPO', id, entries);
    return row;
  });
}

/** Disconnects the repository with its access list. */
export async function deleteGitRepo(db: Db, organizationId: number, id: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const result = await trx.deleteFrom('gitRepos').where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) return false;
    await deleteGrantsOf(trx, 'GIT_REPO', id);
    return true;
  });
}
