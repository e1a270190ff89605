import { sql, type Kysely } from 'kysely';

// Issue 16 §3, flat with memberships: a request of a user in a thousand organizations must not
// build a thousand grant entries to learn what its schema shows. grant_summaries holds, per user,
// what the permission set needs over all of the user's organizations (src/authz/permission-set.ts,
// PackedGrants.summary): how many memberships and in which organizations, Owner anywhere, the
// highest level of each feature (an Owner holds MANAGE on every one, SPEC §2), and whether a grant
// on some automation gives the user, or one of its roles, manage_settings (or full_access, or an
// empty list) in an organization where automations are reachable at all (crews_dashboards not
// NO_ACCESS, or Owner; SPEC §3 rule 2). The request's statement reads this row
// (src/authz/authorize-request.ts) and an organization's entry only when the request touches it.
//
// Kept exact by triggers, in the transaction that changes what it summarizes, so that a role
// change applies at the very next request on every replica (README, SPEC §2): memberships
// (insert, delete, a role changed), roles (kind or a level changed), automation grants that give
// manage_settings (insert, delete, update, to a user or a role). An organization's deletion
// cascades to its memberships and so is counted there; a user's deletion takes the row with it.
// Statement-level, with transition tables: a bulk insert of memberships or grants recomputes each
// affected user once, not once per row (measured: a thousand memberships of one user in one insert,
// 29 ms without the trigger, 52 ms with it; row by row, a recompute of 1 to 1,000 memberships each).
// One membership more for a user in 1,000 organizations costs ~20 ms; a role's change ~10 ms.
//
// A recompute is not an increment (a maximum cannot be decremented): it reads the user's
// memberships anew. Two transactions changing one user's memberships at once would each read the
// other's change as not yet made, and the later commit would store a summary missing the earlier
// one; so a recompute first locks the user's row (FOR UPDATE, in user order), and the statement
// after the lock reads with a snapshot taken after it (PL/pgSQL, READ COMMITTED): whoever waits
// sees what the other committed (test/authz/lazy-grants.test.ts fails without it). Row locks, not
// advisory ones: a role change in an organization of 10,000 members locks 10,000 rows, which the
// shared lock table would not hold.
//
// Users who never had a membership have no row; the request's statement reads a missing row as no
// membership, and falls back to reading every entry (which it does for small sets anyway).

// The features as of this migration, copied from src/authz/features.ts on purpose: a migration is
// frozen once released, and importing the list would change what it creates when a later release
// adds a feature (that release's migration adds the feature's column and recomputes).
const FEATURES = [
  'usage_dashboards',
  'crews_dashboards',
  'invitations',
  'training_ui',
  'tools',
  'agents',
  'environment_variables',
  'llm_connections',
  'default_settings',
  'organization_settings',
  'studio_projects',
] as const;

// The highest level of a feature over the aggregated memberships; Owners hold MANAGE.
const highest = (feature: string) =>
  `(array['NO_ACCESS', 'READ', 'MANAGE'])[1 + max(case when r.kind = 'OWNER' or r.${feature} = 'MANAGE' then 2 when r.${feature} = 'READ' then 1 else 0 end)]`;

// A grant on some automation that includes manage_settings (an empty list is full_access, SPEC §3).
const manages = (g: string) =>
  `${g}resource_type = 'AUTOMATION' and (cardinality(${g}permissions) = 0 or ${g}permissions && array['manage_settings', 'full_access']::text[])`;
const MANAGES = manages('g.');

export async function up(db: Kysely<unknown>): Promise<void> {
  let table = db.schema
    .createTable('grant_summaries')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('memberships', 'integer', (c) => c.notNull().defaultTo(0))
    // Text, ids joined by commas in order: read on every request of the user, where an integer[]
    // costs its conversion to text in the server and its parsing in the client (0.05 and 0.33 ms
    // for a thousand); the gateway searches the text and splits it only to list them.
    .addColumn('organization_ids', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner', 'boolean', (c) => c.notNull().defaultTo(false));
  for (const feature of FEATURES) table = table.addColumn(feature, 'text', (c) => c.notNull().defaultTo('NO_ACCESS'));
  await table.addColumn('automation_manage_grant', 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  // The partial indexes the manage-grant probes use, here and in an organization's entry
  // (src/authz/authorize-request.ts): a few rows per organization, where the indexes by principal
  // walk every grant of the role or user (24 µs a probe with 100,000 grants stored, 2 µs with these).
  await sql.raw(`create index entity_grants_manage_role_idx on entity_grants (organization_id, role_id) where ${manages('')}`).execute(db);
  await sql.raw(`create index entity_grants_manage_user_idx on entity_grants (organization_id, user_id) where ${manages('')}`).execute(db);

  await sql
    .raw(
      `create function grant_summaries_refresh(affected uuid[]) returns void language plpgsql as $$
    begin
      if coalesce(cardinality(affected), 0) = 0 then return; end if;
      -- A row to lock for each user that still exists (a user being deleted has none to keep).
      insert into grant_summaries (user_id) select u.id from users u where u.id = any(affected) order by u.id on conflict (user_id) do nothing;
      perform 1 from grant_summaries s where s.user_id = any(affected) order by s.user_id for update;
      update grant_summaries s set memberships = coalesce(a.memberships, 0), organization_ids = coalesce(a.organization_ids, ''),
          owner = coalesce(a.owner, false), ${FEATURES.map((f) => `${f} = coalesce(a.${f}, 'NO_ACCESS')`).join(', ')},
          automation_manage_grant = coalesce(a.automation_manage_grant, false)
        from (select distinct u as user_id from unnest(affected) u) x
        left join (
          select m.user_id, count(*)::integer as memberships, string_agg(m.organization_id::text, ',' order by m.organization_id) as organization_ids,
            bool_or(r.kind = 'OWNER') as owner, ${FEATURES.map((f) => `${highest(f)} as ${f}`).join(', ')},
            bool_or((r.kind = 'OWNER' or r.crews_dashboards <> 'NO_ACCESS')
              and (exists (select 1 from entity_grants g where g.organization_id = m.organization_id and g.role_id = m.role_id and ${MANAGES})
                or exists (select 1 from entity_grants g where g.organization_id = m.organization_id and g.user_id = m.user_id and ${MANAGES}))) as automation_manage_grant
          from memberships m join roles r on r.id = m.role_id and r.organization_id = m.organization_id
          where m.user_id = any(affected)
          group by m.user_id
        ) a on a.user_id = x.user_id
        where s.user_id = x.user_id;
    end $$`,
    )
    .execute(db);

  // One function per table; each trigger names its transition tables `added` and `removed`, and a
  // branch that reads one its trigger lacks is never planned.
  await sql`create function grant_summaries_memberships() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform grant_summaries_refresh(array(select distinct user_id from added));
      elsif tg_op = 'DELETE' then
        perform grant_summaries_refresh(array(select distinct user_id from removed));
      else
        perform grant_summaries_refresh(array(select user_id from added union select user_id from removed));
      end if;
      return null;
    end $$`.execute(db);
  await sql
    .raw(
      `create function grant_summaries_roles() returns trigger language plpgsql as $$
    begin
      perform grant_summaries_refresh(array(
        select distinct m.user_id from added n join removed o on o.id = n.id
          join memberships m on m.organization_id = n.organization_id and m.role_id = n.id
        where (o.kind, ${FEATURES.map((f) => `o.${f}`).join(', ')}) is distinct from (n.kind, ${FEATURES.map((f) => `n.${f}`).join(', ')})));
      return null;
    end $$`,
    )
    .execute(db);
  // Only grants that give manage_settings change a summary; the users a role grant reaches are
  // the role's members.
  const reached = (rows: string) => `select g.user_id from ${rows} g where g.user_id is not null and ${MANAGES}
        union select m.user_id from ${rows} g join memberships m on m.organization_id = g.organization_id and m.role_id = g.role_id
          where g.role_id is not null and ${MANAGES}`;
  await sql
    .raw(
      `create function grant_summaries_entity_grants() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform grant_summaries_refresh(array(${reached('added')}));
      elsif tg_op = 'DELETE' then
        perform grant_summaries_refresh(array(${reached('removed')}));
      else
        perform grant_summaries_refresh(array(${reached('added')} union ${reached('removed')}));
      end if;
      return null;
    end $$`,
    )
    .execute(db);

  for (const [table, fn] of [
    ['memberships', 'grant_summaries_memberships'],
    ['entity_grants', 'grant_summaries_entity_grants'],
  ] as const) {
    await sql
      .raw(`create trigger ${table}_summary_insert after insert on ${table} referencing new table as added for each statement execute function ${fn}()`)
      .execute(db);
    await sql
      .raw(`create trigger ${table}_summary_delete after delete on ${table} referencing old table as removed for each statement execute function ${fn}()`)
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_summary_update after update on ${table} referencing old table as removed new table as added for each statement execute function ${fn}()`,
      )
      .execute(db);
  }
  await sql`create trigger roles_summary_update after update on roles referencing old table as removed new table as added
    for each statement execute function grant_summaries_roles()`.execute(db);

  // The users of before, summarized after the triggers exist: creating them locked the tables
  // against writes until the migrations commit (one transaction), so no change is missed.
  await sql`select grant_summaries_refresh(array(select distinct user_id from memberships))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger roles_summary_update on roles`.execute(db);
  for (const table of ['memberships', 'entity_grants']) {
    for (const event of ['insert', 'delete', 'update']) await sql.raw(`drop trigger ${table}_summary_${event} on ${table}`).execute(db);
  }
  await sql`drop function grant_summaries_entity_grants()`.execute(db);
  await sql`drop function grant_summaries_roles()`.execute(db);
  await sql`drop function grant_summaries_memberships()`.execute(db);
  await sql`drop function grant_summaries_refresh(uuid[])`.execute(db);
  await sql`drop index entity_grants_manage_user_idx`.execute(db);
  await sql`drop index entity_grants_manage_role_idx`.execute(db);
  await db.schema.dropTable('grant_summaries').execute();
}
