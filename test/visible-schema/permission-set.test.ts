import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { Authz } from '../../src/authz/authz.js';
import { MEMBER_DEFAULT_LEVELS, OWNER_LEVELS, type FeatureLevels } from '../../src/authz/features.js';
import { permissionSetKey, permissionSetOf } from '../../src/authz/permission-set.js';
import type { OrganizationGrant, Principal } from '../../src/authz/principal.js';
import { ApolloPerPermissionSet } from '../../src/authz/visible-schema/apollo-per-permission-set.js';
import { actionReach } from '../../src/modules/automations/automation-decision.js';
import { authorization, buildSchema } from '../../src/graphql/schema.js';
import type { GraphQLContext } from '../../src/graphql/context.js';

const session = (userId: string): Principal => ({ kind: 'user', userId, email: `${userId}@example.com`, name: userId });

function grant(organizationId: number, levels: Partial<FeatureLevels>, extra: Partial<OrganizationGrant> = {}): OrganizationGrant {
  return {
    organizationId,
    roleId: `role-${organizationId}`,
    isOwner: false,
    levels: { ...MEMBER_DEFAULT_LEVELS, ...levels },
    entityRbac: false,
    gitRepositoryRbac: false,
    automationManageGrant: false,
    ...extra,
  };
}

const authzOf = (userId: string, ...grants: OrganizationGrant[]) => new Authz(session(userId), new Map(grants.map((g) => [g.organizationId, g])));

describe('the permission set of a principal', () => {
  it('takes each feature\'s highest level over the principal\'s organizations', () => {
    const set = permissionSetOf(authzOf('u1', grant(1, { tools: 'NO_ACCESS' }), grant(2, { tools: 'MANAGE' })));
    expect(set.levels.tools).toBe('MANAGE');
    expect(set.kind).toBe('session');
  });

  it('counts a manage_settings grant only where crews_dashboards allows automations at all', () => {
    const blind = permissionSetOf(authzOf('u2', grant(1, { crews_dashboards: 'NO_ACCESS' }, { automationManageGrant: true }), grant(2, { crews_dashboards: 'READ' })));
    expect(blind.automationManageGrant).toBe(false);
    expect(actionReach('MANAGE_SETTINGS')(blind)).toBe(false);
    const seeing = permissionSetOf(authzOf('u3', grant(1, { crews_dashboards: 'READ' }, { automationManageGrant: true })));
    expect(actionReach('MANAGE_SETTINGS')(seeing)).toBe(true);
  });

  it('is the same key for two principals with the same role, whatever their organizations', () => {
    const a = permissionSetKey(permissionSetOf(authzOf('a', grant(1, {}))));
    const b = permissionSetKey(permissionSetOf(authzOf('b', grant(7, {}))));
    expect(a).toBe(b);
    expect(permissionSetKey(permissionSetOf(authzOf('c', grant(1, { tools: 'MANAGE' }))))).not.toBe(a);
  });
});

describe('one Apollo Server per permission set', () => {
  it('builds a set\'s schema once, and another set\'s separately', async () => {
    const built: number[] = [];
    const servers = new ApolloPerPermissionSet(buildSchema(), authorization().rules, (schema) => {
      built.push(Object.keys(schema.getTypeMap()).length);
      return new ApolloServer<GraphQLContext>({ schema });
    });
    await servers.start();
    const first = await servers.serverFor(authzOf('a', grant(1, {})));
    const same = await servers.serverFor(authzOf('b', grant(2, {})));
    const owner = await servers.serverFor(authzOf('c', grant(3, OWNER_LEVELS, { isOwner: true })));
    expect(same).toBe(first);
    expect(owner).not.toBe(first);
    // The refusing server for callers without a principal, then one per set.
    expect(built).toHaveLength(3);
    await servers.stop();
  });
});
