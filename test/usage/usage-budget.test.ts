import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §2 `usage_dashboards`: READ sees the usage budget, MANAGE changes it.
const READ = 'query($id: ID!) { organization(id: $id) { usage { monthlyTokenBudget alertThresholdPercent } } }';
const UPDATE = `mutation($org: ID!, $input: UsageBudgetInput!) {
  updateUsageBudget(organizationId: $org, input: $input) { monthlyTokenBudget alertThresholdPercent }
}`;

interface Usage {
  monthlyTokenBudget: number | null;
  alertThresholdPercent: number;
}

let gw: TestGateway;
let org: OrgFixture;

async function usageOf(o: OrgFixture): Promise<Usage> {
  const data = await expectAllowed<{ organization: { usage: Usage } }>(gw, o.owner.token, READ, { id: String(o.organizationId) });
  return data.organization.usage;
}
const update = (o: OrgFixture, input: Record<string, unknown>) => ({ org: String(o.organizationId), input });

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('Organization.usage', () => {
  it('is no budget with alerts at 80% until one is set', async () => {
    expect(await usageOf(org)).toEqual({ monthlyTokenBudget: null, alertThresholdPercent: 80 });
  });
});

describe('updateUsageBudget', () => {
  it.each([
    ['monthlyTokenBudget', { monthlyTokenBudget: 0 }],
    ['monthlyTokenBudget', { monthlyTokenBudget: -5 }],
    ['monthlyTokenBudget', { monthlyTokenBudget: 1.5 }],
    ['monthlyTokenBudget', { monthlyTokenBudget: 9e15 + 2 }],
    ['alertThresholdPercent', { alertThresholdPercent: 0 }],
    ['alertThresholdPercent', { alertThresholdPercent: 101 }],
    ['alertThresholdPercent', { monthlyTokenBudget: 1000, alertThresholdPercent: 101 }],
  ])('refuses a bad %s (%j) with BAD_USER_INPUT naming it, and writes nothing', async (field, input) => {
    const fresh = await createOrg(gw);
    const response = await expectDenied(gw, fresh.owner.token, UPDATE, update(fresh, input), 'BAD_USER_INPUT');
    expect(response.errors[0]?.extensions?.field).toBe(field);
    expect(await usageOf(fresh)).toEqual({ monthlyTokenBudget: null, alertThresholdPercent: 80 });
  });

  it('sets, partly updates and clears the budget; absent fields stay as they were', async () => {
    const set = await expectAllowed<{ updateUsageBudget: Usage }>(
      gw,
      org.owner.token,
      UPDATE,
      update(org, { monthlyTokenBudget: 9e15, alertThresholdPercent: 1 }),
    );
    expect(set.updateUsageBudget).toEqual({ monthlyTokenBudget: 9e15, alertThresholdPercent: 1 });
    await expectAllowed(gw, org.owner.token, UPDATE, update(org, { alertThresholdPercent: 100 }));
    expect(await usageOf(org)).toEqual({ monthlyTokenBudget: 9e15, alertThresholdPercent: 100 });
    await expectAllowed(gw, org.owner.token, UPDATE, update(org, { monthlyTokenBudget: null }));
    expect(await usageOf(org)).toEqual({ monthlyTokenBudget: null, alertThresholdPercent: 100 });
  });

  it('needs usage_dashboards MANAGE: a Member (READ) sees the budget but may not change it (updateUsageBudget is not in its schema)', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    const before = await usageOf(org);
    await expectAllowed(gw, member.token, READ, { id: String(org.organizationId) });
    await expectHidden(gw, member.token, UPDATE, update(org, { alertThresholdPercent: 50 }), 'updateUsageBudget');
    expect(await usageOf(org)).toEqual(before);
  });

  it('of another organization is NOT_FOUND, and its budget stays unchanged', async () => {
    const other = await createOrg(gw);
    await expectDenied(gw, org.owner.token, UPDATE, update(other, { monthlyTokenBudget: 5 }), 'NOT_FOUND');
    await expectDenied(gw, org.owner.token, READ, { id: String(other.organizationId) }, 'NOT_FOUND');
    expect(await usageOf(other)).toEqual({ monthlyTokenBudget: null, alertThresholdPercent: 80 });
  });
});
