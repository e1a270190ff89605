import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { replaceGrants } from '../src/authz/entity-grants.repository.js';
import type { Db } from '../src/db/database.js';
import { insertMembership } from '../src/modules/members/members.repository.js';
import { createOrganization } from '../src/modules/organizations/create-organization.js';
import { findRoleByKind } from '../src/modules/roles/roles.repository.js';
import { findOrCreateUserByEmail } from '../src/modules/users/users.repository.js';
import { seedAutomationsScreen } from './load-data.js';

/** The measured tenant's size, the same in every database of `npm run bench:scale`. */
export const TENANT = {
  automations: 50,
  /** Runs of each automation but the first, which has `runs`. */
  runsEach: 20,
  runs: 10_000,
  /** Spans of the first automation's latest run. */
  spans: 10_000,
} as const;

const SPANS_PER_RUN = 100;

/** Other organizations' data, stored in the loaded database only. */
export interface OtherData {
  /** Organizations, the measured one included, that the multi-organization session belongs to. */
  memberships: number;
  /** Automations of other organizations, one access-list entry each. */
  grants: number;
  /** Spans of other organizations, SPANS_PER_RUN per run. */
  spans: number;
}

export interface Tenant {
  organizationId: number;
  memberEmail: string;
  /** A Member of the tenant and of every other organization. */
  multiEmail: string;
  /** The first automation: TENANT.runs runs. */
  automationId: string;
  /** Private, visible to Members through an access-list entry naming their role. */
  privateAutomationId: string;
  /** The first automation's latest run: TENANT.spans spans. */
  executionId: string;
  /** Automations the Member sees: the organization-wide ones and two private ones through grants. */
  visibleAutomations: number;
}

/**
 * The measured tenant (bench/load-data.ts's automations screen): 50 automations, one in ten
 * private, two of those visible to the Member through access-list entries (its role, itself);
 * TENANT.runsEach runs of each automation and TENANT.runs of the first, whose latest run has
 * TENANT.spans spans. Seeded first, so that it has the same organization id in every database.
 */
export async function seedTenant(db: Db): Promise<Tenant> {
  const { organizationId } = await seedAutomationsScreen(db, TENANT.automations);
  const memberEmail = 'member@bench.example';
  const multiEmail = 'multi@bench.example';
  const member = await findOrCreateUserByEmail(db, memberEmail);
  const multi = await findOrCreateUserByEmail(db, multiEmail, 'Bench Multi');
  const memberRole = await findRoleByKind(db, organizationId, 'MEMBER');
  await insertMembership(db, { organizationId, userId: multi.id, roleId: memberRole.id });
  const automations = await db.selectFrom('automations').select(['id', 'name']).where('organizationId', '=', organizationId).orderBy('name').execute();
  const idOf = (name: string) => {
    const found = automations.find((a) => a.name === name);
    if (!found) throw new Error(`no automation ${name}`);
    return found.id;
  };
  const none = { userId: null, roleId: null, serviceAccountId: null };
  await replaceGrants(db, organizationId, 'AUTOMATION', idOf('crew-009'), [{ ...none, roleId: memberRole.id, permissions: [] }]);
  await replaceGrants(db, organizationId, 'AUTOMATION', idOf('crew-019'), [{ ...none, userId: member.id, permissions: ['run', 'traces'] }]);

  const automationId = idOf('crew-000');
  await sql`insert into executions (organization_id, automation_id, status, created_at, updated_at, finished_at)
    select a.organization_id, a.id, 'SUCCEEDED', x.t, x.t, x.t + interval '30 seconds'
    from automations a
    cross join lateral generate_series(1, case when a.id = ${automationId} then ${TENANT.runs}::integer else ${TENANT.runsEach}::integer end) g
    cross join lateral (select timestamptz '2026-01-01 00:00:00Z' + g * interval '1 minute' as t) x
    where a.organization_id = ${organizationId}`.execute(db);
  const latest = await db
    .selectFrom('executions')
    .select('id')
    .where('automationId', '=', automationId)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  await insertSources(db, sql<SqlBool>`id = ${organizationId}`);
  await insertSpans(db, sql<SqlBool>`e.id = ${latest.id}`, TENANT.spans);
  return {
    organizationId,
    memberEmail,
    multiEmail,
    automationId,
    privateAutomationId: idOf('crew-009'),
    executionId: latest.id,
    visibleAutomations: automations.filter((a) => Number(a.name.slice(-3)) % 10 !== 9).length + 2,
  };
}

/**
 * Other tenants, for the loaded database: `memberships - 1` organizations (each with its Owner and
 * Member roles, and an Owner of its own, as tenants have: one user owning them all would tell the
 * planner that a user has hundreds of memberships), in every one of which the tenant's
 * multi-organization user is a Member;
 * `grants` automations spread over them, each on an access list (private ones naming that user,
 * the others the organization's Member role); and `spans` spans in runs of SPANS_PER_RUN spans.
 * Bulk SQL where the rows are many; the application's own functions where they hold rules.
 */
export async function seedOtherOrganizations(db: Db, tenant: Tenant, data: OtherData, progress: (step: string) => void): Promise<void> {
  const owner = await findOrCreateUserByEmail(db, 'others@bench.example', 'Other Owner');
  const multi = await findOrCreateUserByEmail(db, tenant.multiEmail);
  const organizations = data.memberships - 1;
  for (let i = 1; i <= organizations; i++) {
    const ownerOfOne = await findOrCreateUserByEmail(db, `owner-${i}@other.bench.example`, `Owner ${i}`);
    await createOrganization(db, `Other ${i}`, ownerOfOne.id);
  }
  progress(`${organizations} organizations`);
  const others = sql<SqlBool>`organization_id <> ${tenant.organizationId}`;
  await sql`insert into memberships (organization_id, user_id, role_id)
    select organization_id, ${multi.id}, id from roles where kind = 'MEMBER' and ${others}`.execute(db);

  await sql`insert into automations (organization_id, name, description, visibility, created_by_user_id)
    select o.id, 'crew-' || g, 'An automation of another tenant.', case when g % 2 = 0 then 'PRIVATE' else 'ORGANIZATION' end, ${owner.id}
    from generate_series(0, ${data.grants}::integer - 1) g
    join (select id, row_number() over (order by id) - 1 as k from organizations where id <> ${tenant.organizationId}) o on o.k = g % ${organizations}::integer`.execute(
    db,
  );
  await sql`insert into entity_grants (organization_id, resource_type, resource_id, user_id, role_id, permissions)
    select a.organization_id, 'AUTOMATION', a.id,
      case when a.visibility = 'PRIVATE' then ${multi.id}::uuid end, case when a.visibility = 'ORGANIZATION' then r.id end,
      case when a.name like '%0' then '{}'::text[] else array['run', 'traces'] end
    from automations a join roles r on r.organization_id = a.organization_id and r.kind = 'MEMBER'
    where a.organization_id <> ${tenant.organizationId}`.execute(db);
  progress(`${data.grants.toLocaleString('en')} automations with one grant each`);

  // Runs on automations in id order, which is random: spread over the organizations.
  const runs = Math.ceil(data.spans / SPANS_PER_RUN);
  await sql`insert into executions (organization_id, automation_id, status, created_at, updated_at, finished_at)
    select a.organization_id, a.id, 'SUCCEEDED', now(), now(), now()
    from (select id, organization_id, row_number() over (order by id) as n from automations where ${others}) a
    cross join generate_series(1, ${Math.ceil(runs / Math.max(1, data.grants))}::integer) g
    where a.n <= ${runs}::integer`.execute(db);
  await insertSources(db, sql<SqlBool>`id <> ${tenant.organizationId}`);
  // In slices of organizations, so that no one statement holds a million rows.
  const SLICES = 10;
  for (let slice = 0; slice < SLICES; slice++) {
    await insertSpans(db, sql<SqlBool>`e.organization_id <> ${tenant.organizationId} and e.organization_id % ${SLICES} = ${slice}`, SPANS_PER_RUN);
    progress(`spans ${slice + 1}/${SLICES}`);
  }
}

/** One span source (resource and scope) per organization of `where` (on organizations). */
async function insertSources(db: Db, where: RawBuilder<SqlBool>): Promise<void> {
  await sql`insert into span_sources (organization_id, digest, resource, scope)
    select id, sha256(convert_to('bench ' || id, 'UTF8')),
      '{"attributes":{"service.name":"crew"},"droppedAttributesCount":0,"schemaUrl":null}'::json,
      '{"name":"crewai","version":"0.80.0","attributes":{},"droppedAttributesCount":0,"schemaUrl":null}'::json
    from organizations where ${where}`.execute(db);
}

/**
 * `perRun` spans in each run of `where` (on executions `e`), as an instrumented crew reports them
 * (one trace, a root and its children, a failed tool call in fifty, token counts on every span),
 * and the runs' span counters, which the ingest keeps.
 */
async function insertSpans(db: Db, where: RawBuilder<SqlBool>, perRun: number): Promise<void> {
  await sql`insert into spans (organization_id, execution_id, source_id, trace_id, span_id, parent_span_id, name, kind,
      start_time_unix_nano, end_time_unix_nano, status_code, status_message, attributes, events)
    select e.organization_id, e.id, s.id, decode(md5(e.id::text), 'hex'), int8send(g), case when g > 1 then int8send(1::bigint) end,
      case when g = 1 then 'crew.kickoff' when g % 3 = 0 then 'llm.call' else 'tool.run' end, case when g = 1 then 1 else 3 end,
      (extract(epoch from e.created_at) * 1000)::bigint * 1000000 + g * 1000000, (extract(epoch from e.created_at) * 1000)::bigint * 1000000 + g * 1000000 + 800000,
      case when g % 50 = 0 then 2 else 1 end, case when g % 50 = 0 then 'the tool timed out' end,
      json_build_object('gen_ai.usage.input_tokens', 100 + g % 7, 'gen_ai.usage.output_tokens', 20 + g % 5, 'crewai.agent.role', 'researcher'),
      json_build_array(json_build_object('name', 'log', 'timeUnixNano', ((extract(epoch from e.created_at) * 1000)::bigint * 1000000 + g * 1000000 + 1000)::text,
        'attributes', json_build_object('message', 'searching'), 'droppedAttributesCount', 0))
    from executions e join span_sources s on s.organization_id = e.organization_id
    cross join generate_series(1::bigint, ${perRun}::bigint) g
    where ${where}`.execute(db);
  await sql`update executions e set span_count = (select count(*) from spans where execution_id = e.id) where ${where}`.execute(db);
  // The ingest keeps it as spans arrive (migrations/2026_12_13_140000_execution_counts.ts).
  await sql`update executions e set error_span_count = (select count(*) from spans where execution_id = e.id and status_code = 2) where ${where}`.execute(db);
}

/**
 * Statistics and the visibility map as PostgreSQL's autovacuum leaves them within a minute of
 * bulk changes. PGlite has no autovacuum: a PGlite database plans without statistics, unless
 * someone runs ANALYZE.
 */
export async function analyze(db: Db): Promise<void> {
  await sql`vacuum analyze`.execute(db);
}
