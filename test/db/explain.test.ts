import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, seedOtherOrganizations, seedTenant, type Tenant } from '../../bench/scale-seed.js';
import { issueApiToken } from '../../src/modules/api-tokens/issue-token.js';
import { findOrCreateUserByEmail } from '../../src/modules/users/users.repository.js';
import { expectAllowed } from '../support/expect.js';
import { jwtFor } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 16 §2: every query is scoped by organization and served by an index, so that another
// tenant's data never slows yours. Checked by the planner, not by eye: with other tenants' grants,
// automations, memberships, runs and spans stored and statistics gathered, every statement the
// screens below run is EXPLAINed, and none may read one of those tables whole.

// Tables past this many rows after seeding are large: PostgreSQL rightly reads a table of a few
// hundred rows whole rather than through an index.
const LARGE = 5_000;

interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function scans(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scans)];
}

let gw: TestGateway;
let tenant: Tenant;
let capturing = false;
let largeTables: string[] = [];
const statements = new Map<string, Statement>();

beforeAll(async () => {
  gw = await startTestGateway(
    {},
    {
      onQuery: (event) => {
        const text = event.query.sql;
        if (capturing && /^\s*(select|with)\b/i.test(text)) statements.set(text, { sql: text, parameters: event.query.parameters });
      },
    },
  );
  tenant = await seedTenant(gw.db);
  await seedOtherOrganizations(gw.db, tenant, { memberships: 200, grants: 20_000, spans: 50_000 }, () => undefined);
  // Many people in the other organizations: the users and memberships tables grow too.
  await sql`insert into users (email, name) select 'bulk-' || g || '@example.com', 'Bulk' from generate_series(1, 10000) g`.execute(gw.db);
  await sql`insert into memberships (organization_id, user_id, role_id)
    select r.organization_id, u.id, r.id
    from (select id, row_number() over (order by id) as n from users where email like 'bulk-%') u
    join (select id, organization_id, row_number() over (order by organization_id) - 1 as k from roles where kind = 'MEMBER' and organization_id <> ${tenant.organizationId}) r
      on r.k = u.n % 199`.execute(gw.db);
  await analyze(gw.db);
  const { rows } = await sql<{
    relname: string;
    reltuples: number;
  }>`select relname, reltuples from pg_class where relkind = 'r' and relnamespace = current_schema()::regnamespace`.execute(gw.db);
  largeTables = rows.filter((row) => Number(row.reltuples) >= LARGE).map((row) => row.relname);
}, 600_000);
afterAll(async () => gw?.close());

const SCREENS: Array<{ what: string; query: string; variables: (t: Tenant) => Record<string, unknown> }> = [
  {
    what: 'the automations screen',
    query:
      'query($o: ID!) { organization(id: $o) { name automations(first: 20) { totalCount edges { node { id name visibility latestDeployment { version status } } } } } }',
    variables: (t) => ({ o: String(t.organizationId) }),
  },
  {
    what: 'one automation and its runs',
    query:
      'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { name executions(first: 20) { totalCount edges { node { id status createdAt } } } } } }',
    variables: (t) => ({ o: String(t.organizationId), id: t.automationId }),
  },
  {
    what: 'a private automation through its access list',
    query: 'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { name } } }',
    variables: (t) => ({ o: String(t.organizationId), id: t.privateAutomationId }),
  },
  {
    what: "one run's spans",
    query:
      'query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { status spans(first: 50) { totalCount edges { node { name attributes } } } } } }',
    variables: (t) => ({ o: String(t.organizationId), id: t.executionId }),
  },
];

describe("with other tenants' data stored, no statement of a screen reads a large table whole", () => {
  it.each(SCREENS)('$what, as a Member with an API token and in a session of 200 organizations', async ({ query, variables }) => {
    const member = await findOrCreateUserByEmail(gw.db, tenant.memberEmail);
    const { secret } = await issueApiToken(gw.db, tenant.organizationId, { userId: member.id }, 'explain');
    const session = await jwtFor(tenant.multiEmail);
    // The first request of a session links the user; what is measured is every one after.
    await expectAllowed(gw, session, '{ viewer { user { email } } }');
    statements.clear();
    capturing = true;
    await expectAllowed(gw, secret, query, variables(tenant));
    await expectAllowed(gw, session, query, variables(tenant));
    await expectAllowed(gw, session, '{ viewer { user { email } memberships { organization { id name } role { name } } } }');
    capturing = false;
    expect(statements.size).toBeGreaterThan(2);
    expect(largeTables).toEqual(expect.arrayContaining(['entity_grants', 'automations', 'memberships', 'users', 'executions', 'spans']));
    const found: string[] = [];
    for (const statement of statements.values()) {
      const { rows } = await gw.db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> | string }>(
        CompiledQuery.raw(`explain (format json) ${statement.sql}`, [...statement.parameters]),
      );
      const raw = rows[0]?.['QUERY PLAN'];
      const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode }>;
      const tables = scans(plan[0]?.Plan as PlanNode).filter((table) => largeTables.includes(table));
      if (tables.length > 0) found.push(`${tables.join(', ')} read whole by: ${statement.sql.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    expect(found).toEqual([]);
  });
});
