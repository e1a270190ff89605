import type { Db } from '../db/database.js';
import { flagNameProblem } from '../modules/feature-flags/flag-name.js';
import { listFlags, setFlag } from '../modules/feature-flags/feature-flags.repository.js';
import { grantInstanceAdmin, revokeInstanceAdmin } from '../authz/instance-admins.repository.js';
import { findOrganizationsByIds } from '../modules/organizations/organizations.repository.js';
import { findUserByEmail } from '../modules/users/users.repository.js';
import { CliError } from './commands.js';

/** `gatehouse flag enable|disable NAME [--org ID]`: globally without --org (SPEC §5 feature flags). */
export async function flagSet(db: Db, name: string, enabled: boolean, organizationId: number | undefined) {
  const problem = flagNameProblem(name);
  if (problem) throw new CliError(problem);
  if (organizationId !== undefined) {
    const [organization] = await findOrganizationsByIds(db, [organizationId]);
    if (!organization) throw new CliError(`Organization ${organizationId} does not exist.`);
  }
  return setFlag(db, name, enabled, organizationId);
}

/** `gatehouse flag list`: every flag with its global state and the organizations it is on for. */
export async function flagList(db: Db) {
  return { flags: await listFlags(db) };
}

async function userByEmail(db: Db, email: string) {
  const user = await findUserByEmail(db, email);
  // Instance administration is for people who already use the instance; creating users here would
  // make a typo in the email grant nobody.
  if (!user) throw new CliError(`No user has the email ${email}; they sign in once (or are invited) first.`);
  return user;
}

/** `gatehouse admin grant --email E`: the user may use the instance administrator fields. */
export async function adminGrant(db: Db, email: string) {
  const user = await userByEmail(db, email);
  await grantInstanceAdmin(db, user.id);
  return { userId: user.id, email: user.email, instanceAdmin: true };
}

/** `gatehouse admin revoke --email E`: idempotent; `revoked` says whether they were one. */
export async function adminRevoke(db: Db, email: string) {
  const user = await userByEmail(db, email);
  const revoked = await revokeInstanceAdmin(db, user.id);
  return { userId: user.id, email: user.email, instanceAdmin: false, revoked };
}
