import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepArchives } from '../../src/modules/archives/archive-retention.js';
import { storedArchiveBytes } from '../../src/modules/archives/archives.repository.js';
import { DEPLOY, storeArchive } from '../support/automation-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 15 §2, ARCHIVE_RETENTION_HOURS: archives no deployment was made from are deleted once they
// are older than the retention; an archive a deployment was made from stays, however old, and so
// does a young one.
const RETENTION_HOURS = 24;

let gw: TestGateway;
let org: OrgFixture;
let other: OrgFixture;

async function archiveAged(organizationId: number, hoursAgo: number): Promise<string> {
  const { id } = await storeArchive(gw, organizationId);
  await sql`update automation_archives set created_at = now() - make_interval(hours => ${hoursAgo}::integer) where id = ${id}::uuid`.execute(gw.db);
  return id;
}

async function deployFrom(archiveId: string): Promise<void> {
  await expectAllowed(gw, org.owner.token, DEPLOY, {
    org: String(org.organizationId),
    input: { name: `from-${archiveId.slice(0, 8)}`, source: { archiveId } },
  });
}

async function remaining(ids: string[]): Promise<string[]> {
  const rows = await gw.db.selectFrom('automationArchives').select('id').where('id', 'in', ids).execute();
  return ids.filter((id) => rows.some((row) => row.id === id));
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  other = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('the retention sweep', () => {
  it('deletes old archives no deployment was made from, in every organization, and keeps deployed and young ones', async () => {
    const archives = {
      oldUnused: await archiveAged(org.organizationId, RETENTION_HOURS + 1),
      oldUnusedElsewhere: await archiveAged(other.organizationId, RETENTION_HOURS * 30),
      oldDeployed: await archiveAged(org.organizationId, RETENTION_HOURS * 30),
      youngUnused: await archiveAged(org.organizationId, RETENTION_HOURS - 1),
      newUnused: await archiveAged(org.organizationId, 0),
    };
    await deployFrom(archives.oldDeployed);
    const before = await storedArchiveBytes(gw.db, org.organizationId);

    await sweepArchives(gw.db, RETENTION_HOURS);

    expect(await remaining(Object.values(archives))).toEqual([archives.oldDeployed, archives.youngUnused, archives.newUnused]);
    // What the organization's quota counts goes down with it.
    expect(await storedArchiveBytes(gw.db, org.organizationId)).toBeLessThan(before);
    // The deployment still has its archive: its code can be served and the version redeployed.
    const deployment = await gw.db.selectFrom('automationDeployments').select('archiveId').where('archiveId', '=', archives.oldDeployed).executeTakeFirst();
    expect(deployment?.archiveId).toBe(archives.oldDeployed);
  });

  it('is safe to run again and on several replicas at once: each archive is deleted once, the rest stays', async () => {
    const old = await Promise.all([1, 2, 3].map(() => archiveAged(org.organizationId, RETENTION_HOURS + 2)));
    const young = await archiveAged(org.organizationId, 1);
    const deleted = await Promise.all([sweepArchives(gw.db, RETENTION_HOURS), sweepArchives(gw.db, RETENTION_HOURS)]);
    expect(deleted[0] + deleted[1]).toBe(old.length);
    expect(await sweepArchives(gw.db, RETENTION_HOURS)).toBe(0);
    expect(await remaining([...old, young])).toEqual([young]);
  });

  it('keeps an archive once a deployment is made from it, even past the retention', async () => {
    const id = await archiveAged(org.organizationId, RETENTION_HOURS * 2);
    await deployFrom(id);
    await sweepArchives(gw.db, RETENTION_HOURS);
    expect(await remaining([id])).toEqual([id]);
  });

  it('counts hours: a shorter retention deletes what a longer one keeps', async () => {
    const id = await archiveAged(org.organizationId, 3);
    await sweepArchives(gw.db, 4);
    expect(await remaining([id])).toEqual([id]);
    await sweepArchives(gw.db, 2);
    expect(await remaining([id])).toEqual([]);
  });
});
