import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K8S_NAMESPACE_ISOLATION_FLAG, setFlag } from '../../src/modules/feature-flags/feature-flags.repository.js';
import { grantInstanceAdmin } from '../../src/authz/instance-admins.repository.js';
import { createOrg } from '../support/fixtures.js';
import { expectAllowed, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §5: operators list every organization namespace (support-bundle configuration).
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ K8S_NAMESPACE: 'platform' });
});
afterAll(async () => gw.close());

const QUERY = '{ organizationNamespaces { organizationId namespace isolated mode ready } }';

describe('organization namespaces for operators', () => {
  it('an instance administrator sees every organization with its resolved namespace', async () => {
    const isolated = await createOrg(gw);
    const shared = await createOrg(gw);
    await setFlag(gw.db, K8S_NAMESPACE_ISOLATION_FLAG, true, isolated.organizationId);
    await grantInstanceAdmin(gw.db, isolated.owner.userId ?? '');
    const data = await expectAllowed<{
      organizationNamespaces: Array<{ organizationId: string; namespace: string; isolated: boolean; mode: string; ready: boolean }>;
    }>(gw, isolated.owner.token, QUERY);
    expect(data.organizationNamespaces).toEqual(
      expect.arrayContaining([
        {
          organizationId: String(isolated.organizationId),
          namespace: `platform-org-${isolated.organizationId}`,
          isolated: true,
          mode: 'AUTOMATIC',
          ready: false,
        },
        { organizationId: String(shared.organizationId), namespace: 'platform', isolated: false, mode: 'SHARED', ready: true },
      ]),
    );
  });

  it('an Owner who is not an instance administrator does not see organizationNamespaces: it is not in its schema', async () => {
    const org = await createOrg(gw);
    await expectHidden(gw, org.owner.token, QUERY, {}, 'organizationNamespaces');
  });
});
