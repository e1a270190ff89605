import { sql, type SelectQueryBuilder } from 'kysely';
import { visibleUnderAccessList } from '../../authz/entity-grants.repository.js';
import type { VisibilityScope } from '../../authz/principal.js';
import type { Database, Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';

/**
 * The tables of the resources that carry an access list (SPEC §3 "Entity RBAC for other
 * resources"), each with the resource type its entity_grants rows name.
 */
interface AccessListedTables {
  envVars: 'ENV_VAR';
  llmConnections: 'LLM_CONNECTION';
  gitRepos: 'GIT_REPO';
}

export interface AccessListedResource<TB extends keyof AccessListedTables> {
  table: TB;
  resourceType: AccessListedTables[TB];
  /**
   * The column that says whether a row has an access list at all, or null where every row has
   * one: with Git RBAC on, a Git repository is restricted to its list.
   */
  restrictedColumn: (keyof Database[TB] & string) | null;
  /**
   * `db.selectFrom(table)`, written where the table is a literal: kysely types the rows of a
   * literal table, not of one that is a type parameter.
   */
  selectFrom: (db: Executor) => SelectQueryBuilder<Database, NoInfer<TB>, Record<never, never>>;
}

// Over a type parameter, kysely cannot type a column's value either, so a condition on a value
// names its column through this: a column every access-listed table has (checked here), compiled
// as `.where('organizationId', '=', …)` would compile it.
const column = (name: keyof Database[keyof AccessListedTables] & string) => sql.ref(name);

/**
 * List, count and visibility of one access-listed resource, all filtered in SQL by the same
 * predicate (visibleUnderAccessList), so that they can never disagree. Rows come in the
 * `(created_at, id)` order of every list (src/graphql/pagination.ts).
 */
export function accessListRepository<TB extends keyof AccessListedTables>(resource: AccessListedResource<TB>) {
  const { table, resourceType, restrictedColumn, selectFrom } = resource;
  const visible = (scope: VisibilityScope) =>
    visibleUnderAccessList(scope, resourceType, `${table}.id`, restrictedColumn === null ? undefined : `${table}.${restrictedColumn}`);
  const inOrganization = (db: Executor, scope: VisibilityScope) => selectFrom(db).where(column('organizationId'), '=', scope.organizationId);

  return {
    /** A page of the rows the scope may see, one more than `page.limit` when there are more. */
    list: (db: Executor, scope: VisibilityScope, page: Page) =>
      inOrganization(db, scope)
        .selectAll()
        .where(visible(scope))
        .where(afterCursor(table, page.after))
        .orderBy('createdAt')
        .orderBy('id')
        .limit(page.limit + 1)
        .execute(),

    /** How many rows the scope may see: the list's totalCount. */
    count: async (db: Executor, scope: VisibilityScope): Promise<number> => {
      const row = await inOrganization(db, scope)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where(visible(scope))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    /** The ids among `ids` that the scope may see: one query for any number of rows. */
    visibleIds: async (db: Executor, ids: readonly string[], scope: VisibilityScope): Promise<Set<string>> => {
      if (ids.length === 0) return new Set();
      const rows = await inOrganization(db, scope).select('id').where(column('id'), 'in', ids).where(visible(scope)).execute();
      return new Set(rows.map((row) => row.id));
    },

    /** Whether the scope may see the row: the single-item check of the resource's rules. */
    isVisible: async (db: Executor, id: string, scope: VisibilityScope): Promise<boolean> => {
      const row = await inOrganization(db, scope).select('id').where(column('id'), '=', id).where(visible(scope)).executeTakeFirst();
      return row !== undefined;
    },
  };
}
