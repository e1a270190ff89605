import { describe, expect, it } from 'vitest';
import { Authz } from '../../src/authz/authz.js';
import { FEATURES, LEVELS, type Feature, type Level } from '../../src/authz/features.js';
import { PackedGrants } from '../../src/authz/packed-grants.js';
import { permissionSetOf } from '../../src/authz/permission-set.js';
import type { OrganizationGrant, Principal } from '../../src/authz/principal.js';

// Issue 16 §3: the request's statement returns a principal's grants as one string. Read lazily,
// it must say exactly what the grants say decoded one by one: the same grant per organization and
// the same permission set (the key of the schema the caller sees).

const session: Principal = { kind: 'user', userId: '00000000-0000-4000-8000-000000000001', email: 'a@example.com', emailVerified: true, name: 'A' };
const LETTER: Record<Level, string> = { NO_ACCESS: 'N', READ: 'R', MANAGE: 'M' };
const bit = (value: boolean) => (value ? '1' : '0');

function pack(grants: OrganizationGrant[]): string | null {
  if (grants.length === 0) return null;
  return grants
    .map(
      (g) =>
        `${g.organizationId},${g.roleId},${bit(g.isOwner)}${bit(g.entityRbac)}${bit(g.gitRepositoryRbac)}${bit(g.automationManageGrant)},${FEATURES.map((f) => LETTER[g.levels[f]]).join('')}`,
    )
    .join(';');
}

/** A grant whose levels and flags come from a seed, so that the table covers many mixes. */
function grant(organizationId: number, seed: number): OrganizationGrant {
  const levels = Object.fromEntries(FEATURES.map((feature, i) => [feature, LEVELS[Math.floor(seed / 3 ** (i % 7)) % 3] ?? 'NO_ACCESS'])) as Record<
    Feature,
    Level
  >;
  return {
    organizationId,
    roleId: `00000000-0000-4000-8000-${String(organizationId).padStart(12, '0')}`,
    isOwner: seed % 11 === 0,
    entityRbac: seed % 2 === 0,
    gitRepositoryRbac: seed % 3 === 0,
    automationManageGrant: seed % 5 === 0,
    levels,
  };
}

const CASES: Array<[string, OrganizationGrant[]]> = [
  ['no organization', []],
  ['one organization, a Member', [grant(7, 4)]],
  ['one organization, an Owner', [grant(7, 11)]],
  [
    'a manage grant where automations are out of reach counts for nothing',
    [{ ...grant(3, 1), automationManageGrant: true, levels: { ...grant(3, 1).levels, crews_dashboards: 'NO_ACCESS' } }],
  ],
  ['ids that are prefixes of each other (1, 12, 123)', [grant(1, 2), grant(12, 5), grant(123, 7)]],
  ['a thousand organizations', Array.from({ length: 1000 }, (_, i) => grant(i + 1, i * 7 + 3))],
];

describe('PackedGrants reads what the grants say', () => {
  it.each(CASES)("%s: each organization's grant, and none for others", (_what, grants) => {
    const packed = new PackedGrants(pack(grants));
    expect(packed.size).toBe(grants.length);
    expect([...packed.keys()]).toEqual(grants.map((g) => g.organizationId));
    for (const g of grants) expect(packed.get(g.organizationId)).toEqual(g);
    for (const other of [0, 2, 9999, 1234]) if (!grants.some((g) => g.organizationId === other)) expect(packed.has(other)).toBe(false);
  });

  it.each(CASES)('%s: the same permission set as the grants decoded one by one', (_what, grants) => {
    const fromMap = permissionSetOf(new Authz(session, new Map(grants.map((g) => [g.organizationId, g]))));
    const packed = new Authz(session, new PackedGrants(pack(grants)));
    expect(packed.summary()).toBeDefined();
    expect(permissionSetOf(packed)).toEqual(fromMap);
  });

  it("a scoped token is not summarized: its levels are not its role's", () => {
    const scoped = new Authz(
      { ...session, tokenId: 't', boundOrganizationId: 7, scope: { automationIds: [], permissions: ['RUN'] } },
      new PackedGrants(pack([grant(7, 11)])),
    );
    expect(scoped.summary()).toBeUndefined();
    expect(permissionSetOf(scoped).levels.organization_settings).toBe('NO_ACCESS');
  });

  it('a malformed entry is an error, not a guess', () => {
    expect(() => new PackedGrants('7,role,10,MMM').get(7)).toThrow(/malformed grant entry/);
  });
});
