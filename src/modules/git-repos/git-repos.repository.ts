import type { Db, Executor } from '../../db/database.js';
import { deleteGrantsOf, replaceGrants, type AccessEntry } from '../../authz/entity-grants.repository.js';
import { accessListRepository } from '../access-lists/access-list.repository.js';
import type { SealedReadCredential } from './git-read-credential.js';
import type { GitRepoRow, NewGitRepo } from './git-repos.table.js';
import { inTransaction } from '../../db/transaction.js';

// SPEC §3 Git RBAC: with it on, every repository is restricted to its access list (there is no
// per-repository flag), so the predicate gets no "restricted" column.
const gitRepos = accessListRepository({ table: 'gitRepos', resourceType: 'GIT_REPO', restrictedColumn: null, selectFrom: (db) => db.selectFrom('gitRepos') });
export const { list: listGitRepos, count: countGitRepos, isVisible: isGitRepoVisible } = gitRepos;

export async function findGitReposByIds(db: Executor, ids: readonly string[]): Promise<GitRepoRow[]> {
  return db.selectFrom('gitRepos').selectAll().where('id', 'in', ids).execute();
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
export async function setGitRepoAccessList(db: Db, organizationId: number, id: string, entries: readonly AccessEntry[]): Promise<GitRepoRow | undefined> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('gitRepos').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
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
