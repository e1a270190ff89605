import { describe, expect, it } from 'vitest';
import { BadUserInputError, ForbiddenError, NotFoundError, UnauthenticatedError, type GatehouseError } from '../../src/errors.js';
import { DENIAL_REASONS, denialReason } from '../../src/observability/denial-reason.js';

// README "Metrics": the reason label of gatehouse_authz_denials_total, from what a denial carries.
const table: Array<[string, GatehouseError, string]> = [
  [
    'a feature level (featureDecision)',
    new ForbiddenError('Organization.agents needs agents: READ; your role has NO_ACCESS in this organization.', {
      feature: 'agents',
      requiredLevel: 'READ',
      level: 'NO_ACCESS',
    }),
    'feature:agents',
  ],
  [
    'an automation permission',
    new ForbiddenError('Automation.traces needs the traces permission on this automation: …', { permission: 'traces', reason: 'MISSING_GRANT' }),
    'permission:traces',
  ],
  [
    'manage_settings on a redeploy',
    new ForbiddenError('Mutation.deployAutomation of a new version needs manage_settings …', { permission: 'manage_settings' }),
    'permission:manage_settings',
  ],
  [
    'a FORBIDDEN naming neither (signedInUser)',
    new ForbiddenError('This action needs a signed-in user (a JWT session); API tokens act inside one organization only.'),
    'forbidden',
  ],
  ['a feature that does not exist', new ForbiddenError('…', { feature: 'org 42' }), 'forbidden'],
  ['a permission that does not exist', new ForbiddenError('…', { permission: 'alice@example.com' }), 'forbidden'],
  ['an id one may not see', new NotFoundError('Automation', '0b6d3c1e-0000-4000-8000-000000000000'), 'not_found'],
  ['no principal', new UnauthenticatedError(), 'unauthenticated'],
  ['any other error', new BadUserInputError('…'), 'other'],
];

describe('denialReason', () => {
  it.each(table)('%s', (_case, error, reason) => {
    expect(denialReason(error)).toBe(reason);
    expect(DENIAL_REASONS.has(reason)).toBe(true);
  });

  it('the closed list holds no id, email or free text', () => {
    for (const reason of DENIAL_REASONS) expect(reason).toMatch(/^[a-z_]+(:[a-z_]+)?$/);
  });
});
