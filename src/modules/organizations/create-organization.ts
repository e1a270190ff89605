import type { Db } from '../../db/database.js';
import { insertMembership } from '../members/members.repository.js';
import { insertPredefinedRoles } from '../roles/roles.repository.js';
import { insertOrganization } from './organizations.repository.js';
import type { OrganizationRow } from './organizations.table.js';
import { inTransaction } from '../../db/transaction.js';

/**
 * An organization is born with its Owner and Member roles and one Owner (SPEC §2: an
 * organization always keeps at least one Owner), all in one transaction.
 */
export async function createOrganization(db: Db, name: string, ownerUserId: string): Promise<OrganizationRow> {
  return inTransaction(db, async (trx) => {
    const organization = await insertOrganization(trx, name);
    const { owner } = await insertPredefinedRoles(trx, organization.id);
    await insertMembership(trx, { organizationId: organization.id, userId: ownerUserId, roleId: owner.id });
    return organization;
  });
}
