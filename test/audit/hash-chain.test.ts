import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryHash } from '../../src/modules/audit/audit-hash.js';
import { verifyAuditChains } from '../../src/modules/audit/audit-verify.js';
import { insertAuditEntry } from '../../src/modules/audit/audit.repository.js';
import { expectAllowed } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 15 §5: every audit entry carries its predecessor's hash within its organization, so that
// an entry changed or removed behind the gateway's back (by a superuser, who can always bypass the
// append-only trigger) is found by `gatehouse audit verify`. On PGlite and PostgreSQL.
let gw: TestGateway;
let n = 0;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw.close());

const CREATE_ROLE = 'mutation($o: ID!, $n: String!) { createRole(organizationId: $o, input: { name: $n }) { id } }';

/** An organization with `count` audited mutations, run at the same time. */
async function orgWithEntries(count: number): Promise<OrgFixture> {
  const org = await createOrg(gw);
  await Promise.all(
    Array.from({ length: count }, () => expectAllowed(gw, org.owner.token, CREATE_ROLE, { o: String(org.organizationId), n: `chained-${++n}` })),
  );
  return org;
}

async function chain(organizationId: number) {
  return gw.db.selectFrom('auditLog').selectAll().where('organizationId', '=', organizationId).orderBy('chainSeq').execute();
}

/** What a superuser can do: lift the append-only trigger for one statement. */
async function asSuperuser(statement: ReturnType<typeof sql>): Promise<void> {
  await gw.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger audit_log_no_update_or_delete`.execute(trx);
    await statement.execute(trx);
    await sql`alter table audit_log enable trigger audit_log_no_update_or_delete`.execute(trx);
  });
}

describe('audit entries form one hash chain per organization', () => {
  it('concurrent audited mutations of one organization chain one after another, without a fork', async () => {
    const [org, other] = await Promise.all([orgWithEntries(12), orgWithEntries(5)]);
    const entries = await chain(org.organizationId);
    expect(entries.map((e) => e.chainSeq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(entries[0]?.prevHash).toBeNull();
    entries.forEach((entry, i) => {
      if (i > 0) expect(entry.prevHash).toBe(entries[i - 1]?.hash);
      expect(entry.hash).toBe(auditEntryHash(entry));
    });
    // The times rise along the chain: taken from the database's clock once the chain is locked.
    expect(entries.map((e) => e.createdAt.getTime())).toEqual(entries.map((e) => e.createdAt.getTime()).sort((a, b) => a - b));
    expect(await verifyAuditChains(gw.db, org.organizationId)).toEqual({
      verified: true,
      entries: 12,
      chains: [{ organizationId: org.organizationId, entries: 12, lastHash: entries[11]?.hash, broken: null }],
    });
    expect((await verifyAuditChains(gw.db, other.organizationId)).chains[0]).toMatchObject({ entries: 5, broken: null });
  });

  it('entries without an organization form a chain of their own', async () => {
    for (const action of ['instance.one', 'instance.two']) {
      await gw.db.transaction().execute((trx) =>
        insertAuditEntry(trx, {
          organizationId: null,
          actorUserId: null,
          actorServiceAccountId: null,
          actorName: 'test',
          action,
          targetType: 'FeatureFlag',
          targetId: 'x',
          before: null,
          after: { b: 1, a: [1, { d: 'é', c: null }] },
          requestId: 'r',
        }),
      );
    }
    const report = await verifyAuditChains(gw.db);
    expect(report.verified).toBe(true);
    expect(report.chains[0]).toMatchObject({ organizationId: null, entries: 2, broken: null });
  });
});

describe('audit verify finds what a superuser changed or removed', () => {
  it("an UPDATE of one entry's after: that entry, as changed", async () => {
    const org = await orgWithEntries(4);
    const third = (await chain(org.organizationId))[2];
    await asSuperuser(sql`update audit_log set after = '{"name":"innocent"}' where id = ${third?.id}`);
    const report = await verifyAuditChains(gw.db, org.organizationId);
    expect(report.verified).toBe(false);
    expect(report.chains[0]).toMatchObject({ organizationId: org.organizationId, entries: 2, broken: { kind: 'changed', entryId: third?.id, chainSeq: 3 } });
    expect(report.chains[0]?.broken?.detail).toMatch(/no longer give its hash/);
  });

  it("an UPDATE that also recomputes the entry's own hash: that entry, found through the next one's link", async () => {
    const org = await orgWithEntries(4);
    const second = (await chain(org.organizationId))[1];
    if (!second) throw new Error('expected 4 entries');
    const forged = auditEntryHash({ ...second, after: { name: 'innocent' } });
    await asSuperuser(sql`update audit_log set after = '{"name":"innocent"}', hash = ${forged} where id = ${second.id}`);
    const broken = (await verifyAuditChains(gw.db, org.organizationId)).chains[0]?.broken;
    expect(broken).toMatchObject({ kind: 'changed', entryId: second.id, chainSeq: 2 });
    expect(broken?.detail).toMatch(/hash recomputed/);
  });

  it('a DELETE of one entry in the middle: its place, and the entry after the gap', async () => {
    const org = await orgWithEntries(5);
    const entries = await chain(org.organizationId);
    await asSuperuser(sql`delete from audit_log where id = ${entries[2]?.id}`);
    const report = await verifyAuditChains(gw.db, org.organizationId);
    expect(report.verified).toBe(false);
    expect(report.chains[0]?.broken).toMatchObject({ kind: 'removed', entryId: entries[3]?.id, chainSeq: 3 });
    expect(report.chains[0]?.broken?.detail).toMatch(/entry #3 is missing before entry #4/);
    // Other organizations' chains are not affected.
    const all = await verifyAuditChains(gw.db);
    expect(all.chains.filter((c) => c.broken).map((c) => c.organizationId)).toContain(org.organizationId);
    expect(all.chains.find((c) => c.organizationId === null)?.broken).toBeNull();
  });

  it('a DELETE of the first entry', async () => {
    const org = await orgWithEntries(2);
    const entries = await chain(org.organizationId);
    await asSuperuser(sql`delete from audit_log where id = ${entries[0]?.id}`);
    expect((await verifyAuditChains(gw.db, org.organizationId)).chains[0]?.broken).toMatchObject({ kind: 'removed', entryId: entries[1]?.id, chainSeq: 1 });
  });
});
