import type { Db } from '../src/db/database.js';
import { issueApiToken } from '../src/modules/api-tokens/issue-token.js';
import { insertAutomation } from '../src/modules/automations/automations.repository.js';
import { insertDeployment } from '../src/modules/deployments/deployments.repository.js';
import { gitDeployment } from './git-deployment.js';
import { insertMembership } from '../src/modules/members/members.repository.js';
import { createOrganization } from '../src/modules/organizations/create-organization.js';
import { findRoleByKind } from '../src/modules/roles/roles.repository.js';
import { findOrCreateUserByEmail } from '../src/modules/users/users.repository.js';

/**
 * The data of `npm run bench:load`: an organization with `count` automations, one in ten private
 * (the member does not see those), each with a deployment and every third with a second, failed
 * one; and a member with the predefined Member role, who calls the API, since a member's
 * requests exercise more of the authorization than an Owner's.
 */
export async function seedAutomationsScreen(db: Db, count: number): Promise<{ organizationId: number; memberToken: string }> {
  const owner = await findOrCreateUserByEmail(db, 'owner@bench.example', 'Bench Owner');
  const organization = await createOrganization(db, 'Bench', owner.id);
  const member = await findOrCreateUserByEmail(db, 'member@bench.example', 'Bench Member');
  const memberRole = await findRoleByKind(db, organization.id, 'MEMBER');
  await insertMembership(db, { organizationId: organization.id, userId: member.id, roleId: memberRole.id });
  const { secret } = await issueApiToken(db, organization.id, { userId: member.id }, 'bench');

  for (let i = 0; i < count; i++) {
    const automation = await insertAutomation(db, {
      organizationId: organization.id,
      name: `crew-${String(i).padStart(3, '0')}`,
      description: 'Researches leads and drafts the first e-mail of an outreach sequence.',
      visibility: i % 10 === 9 ? 'PRIVATE' : 'ORGANIZATION',
      createdByUserId: owner.id,
    });
    for (let version = 1; version <= (i % 3 === 0 ? 2 : 1); version++) {
      const failed = version === 2;
      await insertDeployment(
        db,
        gitDeployment({ organizationId: organization.id, automationId: automation.id, deployedByUserId: owner.id }, `acme/crew-${i}`, {
          version,
          status: failed ? 'FAILED' : 'DEPLOYED',
          message: failed ? 'Kubernetes did not answer in time. This is usually transient: redeploy to retry.' : null,
        }),
      );
    }
  }
  return { organizationId: organization.id, memberToken: secret };
}
