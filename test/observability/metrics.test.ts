import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, createRole, jwtFor, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { metricsUrl, parseExposition, scrape, valueOf } from './prometheus-text.js';

// README "Metrics": GET /metrics of a real gateway on a fresh database.
const DURATION_COUNT = 'gatehouse_graphql_request_duration_seconds_count';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

const countOf = async (labels: Record<string, string>) => valueOf(await scrape(gw), DURATION_COUNT, labels) ?? 0;

describe('GET /metrics', () => {
  it('answers Prometheus text: HELP and TYPE for every family, every other line a sample', async () => {
    const text = await scrape(gw);
    const { samples, types } = parseExposition(text);
    expect(types.get('gatehouse_graphql_request_duration_seconds')).toBe('histogram');
    expect(types.get('gatehouse_authz_denials_total')).toBe('counter');
    expect(types.get('gatehouse_deploys_total')).toBe('counter');
    for (const family of types.keys()) expect(text).toContain(`# HELP ${family} `);
    // Process metrics are served with the gateway's own.
    expect(types.has('process_cpu_user_seconds_total')).toBe(true);
    expect(samples.length).toBeGreaterThan(types.size);
  });

  it('shows every known denial reason and deploy outcome at 0 before anything happened', async () => {
    const text = await scrape(gw);
    expect(valueOf(text, 'gatehouse_authz_denials_total', { reason: 'feature:agents' })).toBe(0);
    expect(valueOf(text, 'gatehouse_authz_denials_total', { reason: 'permission:traces' })).toBe(0);
    expect(valueOf(text, 'gatehouse_deploys_total', { outcome: 'DEPLOYED', reason: 'none' })).toBe(0);
    expect(valueOf(text, 'gatehouse_deploys_total', { outcome: 'FAILED', reason: 'no_cluster' })).toBe(0);
  });
});

describe('request duration by operation', () => {
  it('a named query is counted once under its name, type and outcome', async () => {
    const labels = { operation: 'Dashboard', type: 'query', outcome: 'ok' };
    const before = await countOf(labels);
    await expectAllowed(gw, org.owner.token, 'query Dashboard { viewer { user { id } } }');
    expect(await countOf(labels)).toBe(before + 1);
  });

  it('an unnamed operation counts as anonymous; an invalid one under its name with outcome error', async () => {
    const anonymous = { operation: 'anonymous', type: 'query', outcome: 'ok' };
    const broken = { operation: 'Broken', type: 'query', outcome: 'error' };
    const [anonymousBefore, brokenBefore] = [await countOf(anonymous), await countOf(broken)];
    await expectAllowed(gw, org.owner.token, '{ __typename }');
    const response = await gw.gql(org.owner.token, 'query Broken { noSuchField }');
    expect(response.errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await countOf(anonymous)).toBe(anonymousBefore + 1);
    expect(await countOf(broken)).toBe(brokenBefore + 1);
  });

  it('names past the first 200 distinct ones, and names over 64 characters, count as other', async () => {
    const other = { operation: 'other', type: 'query', outcome: 'ok' };
    const long = `Q${'x'.repeat(64)}`;
    const before = await countOf(other);
    await expectAllowed(gw, org.owner.token, `query ${long} { __typename }`);
    expect(await countOf(other)).toBe(before + 1);
    for (let i = 0; i < 300; i++) await expectAllowed(gw, org.owner.token, `query Distinct_${i} { __typename }`);
    const samples = parseExposition(await scrape(gw)).samples.filter((s) => s.name === DURATION_COUNT);
    const named = new Set(samples.map((s) => s.labels.operation).filter((name) => !['anonymous', 'other', 'unknown'].includes(name ?? '')));
    expect(named.size).toBe(200);
    expect(named.has('Distinct_299')).toBe(false);
    expect(named.has(long)).toBe(false);
    // Earlier tests admitted a few names, so at least the last 100 of the 300 went to `other`.
    expect(await countOf(other)).toBeGreaterThanOrEqual(before + 1 + 100);
  });
});

describe('authorization denials', () => {
  it('a member with NO_ACCESS on a feature asking for a field that needs it counts as feature:<name>', async () => {
    // A session of a user who holds agents: READ in another organization: whatever schema the
    // gateway shows for the caller's permission set, the field exists and its rule decides.
    const elsewhere = await createOrg(gw);
    const email = `metrics-denied-${Date.now()}@example.com`;
    await addMember(gw, elsewhere.organizationId, await createRole(gw, elsewhere.organizationId, { agents: 'READ' }), email);
    await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, {}), email);
    const session = await jwtFor(email);
    const query = 'query Agents($id: ID!) { organization(id: $id) { agents { totalCount } } }';
    const reason = { reason: 'feature:agents' };
    const before = valueOf(await scrape(gw), 'gatehouse_authz_denials_total', reason) ?? 0;
    await expectAllowed(gw, session, query, { id: String(elsewhere.organizationId) });
    expect(valueOf(await scrape(gw), 'gatehouse_authz_denials_total', reason)).toBe(before);
    const denied = await gw.gql(session, query, { id: String(org.organizationId) });
    expect(denied.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(valueOf(await scrape(gw), 'gatehouse_authz_denials_total', reason)).toBe(before + 1);
  });

  it('asking for an organization one is not a member of counts as not_found, never with its id', async () => {
    const stranger = await createOrg(gw);
    const reason = { reason: 'not_found' };
    const before = valueOf(await scrape(gw), 'gatehouse_authz_denials_total', reason) ?? 0;
    const response = await gw.gql(org.owner.token, 'query Org($id: ID!) { organization(id: $id) { name } }', { id: String(stranger.organizationId) });
    expect(response.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const text = await scrape(gw);
    expect(valueOf(text, 'gatehouse_authz_denials_total', reason)).toBe(before + 1);
    expect(valueOf(text, 'gatehouse_authz_denials_total', { reason: 'other' })).toBe(0);
    const values = parseExposition(text).samples.flatMap((s) =>
      Object.entries(s.labels)
        .filter(([name]) => name !== 'le')
        .map(([, value]) => value),
    );
    expect(values).not.toContain(String(stranger.organizationId));
  });
});

describe('what the metrics never contain', () => {
  it('no token, email, user id or organization id appears in any label', async () => {
    const member = await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { agents: 'READ' }));
    await gw.gql(member.token, 'query Agents($id: ID!) { organization(id: $id) { agents { totalCount } } }', { id: String(org.organizationId) });
    const text = await scrape(gw);
    for (const secret of [org.owner.token, member.token, org.owner.email ?? '', member.email ?? '', org.owner.userId ?? '', member.userId ?? '']) {
      expect(secret).not.toBe('');
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(UUID);
    const values = parseExposition(text).samples.flatMap((s) =>
      Object.entries(s.labels)
        .filter(([name]) => name !== 'le')
        .map(([, value]) => value),
    );
    expect(values).not.toContain(String(org.organizationId));
  });
});

describe('METRICS_ENABLED=false', () => {
  it('/metrics is not served (404), while /graphql still is', async () => {
    const off = await startTestGateway({ METRICS_ENABLED: 'false' });
    try {
      const response = await fetch(metricsUrl(off));
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('gatehouse_');
      const fixture = await createOrg(off);
      await expectAllowed(off, fixture.owner.token, '{ __typename }');
    } finally {
      await off.close();
    }
  });
});
