import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { Authz } from '../../src/authz/authz.js';
import { MEMBER_DEFAULT_LEVELS, OWNER_LEVELS, type FeatureLevels } from '../../src/authz/features.js';
import { permissionSetKey, permissionSetOf } from '../../src/authz/permission-set.js';
import type { OrganizationGrant, Principal } from '../../src/authz/principal.js';
import { SchemaBuildBudget } from '../../src/authz/visible-schema/schema-build-budget.js';
import { LimitError } from '../../src/graphql/limits/limit-error.js';
import { ApolloPerPermissionSet } from '../../src/authz/visible-schema/apollo-per-permission-set.js';
import { actionReach } from '../../src/modules/automations/automation-decision.js';
import { authorization, buildSchema } from '../../src/graphql/schema.js';
import type { GraphQLContext } from '../../src/graphql/context.js';

const session = (userId: string): Principal => ({ kind: 'user', userId, email: `${userId}@example.com`, emailVerified: true, name: userId });

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
  it("takes each feature's highest level over the principal's organizations", () => {
    const set = permissionSetOf(authzOf('u1', grant(1, { tools: 'NO_ACCESS' }), grant(2, { tools: 'MANAGE' })));
    expect(set.levels.tools).toBe('MANAGE');
    expect(set.kind).toBe('session');
  });

  it('counts a manage_settings grant only where crews_dashboards allows automations at all', () => {
    const blind = permissionSetOf(
      authzOf('u2', grant(1, { crews_dashboards: 'NO_ACCESS' }, { automationManageGrant: true }), grant(2, { crews_dashboards: 'READ' })),
    );
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
  it("builds a set's schema once, and another set's separately", async () => {
    const built: number[] = [];
    const servers = new ApolloPerPermissionSet(
      buildSchema(),
      authorization().rules,
      (schema, documentStore) => {
        built.push(Object.keys(schema.getTypeMap()).length);
        return new ApolloServer<GraphQLContext>({ schema, documentStore });
      },
      new SchemaBuildBudget(0),
    );
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

  it("spends one build of the caller's organizations per miss, and refuses with 429 when the budget (a sixth of the minute's per 10 s) is spent", async () => {
    const servers = new ApolloPerPermissionSet(
      buildSchema(),
      authorization().rules,
      (schema, documentStore) => new ApolloServer<GraphQLContext>({ schema, documentStore }),
      new SchemaBuildBudget(12),
    );
    await servers.start();
    await servers.serverFor(authzOf('a', grant(5, { tools: 'NO_ACCESS' })));
    await servers.serverFor(authzOf('b', grant(5, { tools: 'MANAGE' })));
    // A hit costs nothing.
    await servers.serverFor(authzOf('c', grant(5, { tools: 'NO_ACCESS' })));
    const refused = await servers.serverFor(authzOf('d', grant(5, { crews_dashboards: 'NO_ACCESS' }))).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LimitError);
    expect(refused).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: { name: 'schemaBuildsPerOrganization', max: 12 }, http: { status: 429 } } });
    // Another organization has a budget of its own.
    await expect(servers.serverFor(authzOf('e', grant(6, { crews_dashboards: 'NO_ACCESS' })))).resolves.toBeDefined();
    await servers.stop();
  });
});
