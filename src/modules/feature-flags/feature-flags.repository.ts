import type { Db, Executor } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import type { FeatureFlagState } from './feature-flags.table.js';

/** SPEC §5: on for an organization → it deploys into `{K8S_NAMESPACE}-org-{id}`. */
export const K8S_NAMESPACE_ISOLATION_FLAG = 'k8s_namespace_isolation';

/** Flags the code reads; listed even before anyone sets them, so operators can discover them. */
export const KNOWN_FLAGS: readonly string[] = [K8S_NAMESPACE_ISOLATION_FLAG];

/** On globally, or for this organization. A flag nobody has set is off. */
export async function isFlagOn(db: Executor, name: string, organizationId: number): Promise<boolean> {
  const row = await db
    .selectFrom('featureFlags')
    .select('featureFlags.name')
    .where('featureFlags.name', '=', name)
    .where((eb) =>
      eb.or([
        eb('featureFlags.enabledGlobally', '=', true),
        eb.exists(
          eb
            .selectFrom('featureFlagOrganizations')
            .select('featureFlagOrganizations.name')
            .whereRef('featureFlagOrganizations.name', '=', 'featureFlags.name')
            .where('featureFlagOrganizations.organizationId', '=', organizationId),
        ),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

async function findFlag(db: Executor, name: string): Promise<FeatureFlagState | undefined> {
  const flag = await db.selectFrom('featureFlags').select(['name', 'enabledGlobally']).where('name', '=', name).executeTakeFirst();
  if (!flag) return undefined;
  const organizations = await db.selectFrom('featureFlagOrganizations').select('organizationId').where('name', '=', name).orderBy('organizationId').execute();
  return { ...flag, organizationIds: organizations.map((o) => o.organizationId) };
}

/**
 * Turns a flag on or off globally (no organizationId) or for one organization. The two gates are
 * independent: switching the global gate leaves the per-organization list as it is, so a flag
 * turned off globally stays on for the organizations listed in `organizationIds`.
 * The flag row is created on first use. An organizationId that does not exist fails on the
 * foreign key (callers check existence first to report NOT_FOUND).
 */
export async function setFlag(db: Db, name: string, enabled: boolean, organizationId?: number): Promise<FeatureFlagState> {
  return inTransaction(db, async (trx) => {
    const global = organizationId === undefined;
    await trx
      .insertInto('featureFlags')
      .values({ name, enabledGlobally: global && enabled })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({
          enabledGlobally: global ? enabled : eb.ref('featureFlags.enabledGlobally'),
          updatedAt: new Date(),
        })),
      )
      .execute();
    if (organizationId !== undefined && enabled) {
      await trx
        .insertInto('featureFlagOrganizations')
        .values({ name, organizationId })
        .onConflict((oc) => oc.columns(['name', 'organizationId']).doNothing())
        .execute();
    } else if (organizationId !== undefined) {
      await trx.deleteFrom('featureFlagOrganizations').where('name', '=', name).where('organizationId', '=', organizationId).execute();
    }
    const flag = await findFlag(trx, name);
    if (!flag) throw new Error(`Feature flag ${name} vanished inside its own transaction.`);
    return flag;
  });
}

/** Every flag that was ever set, plus the known flags nobody has set yet (off), by name. */
export async function listFlags(db: Executor): Promise<FeatureFlagState[]> {
  const [flags, organizations] = await Promise.all([
    db.selectFrom('featureFlags').select(['name', 'enabledGlobally']).execute(),
    db.selectFrom('featureFlagOrganizations').select(['name', 'organizationId']).orderBy('organizationId').execute(),
  ]);
  const byName = new Map<string, FeatureFlagState>();
  for (const name of KNOWN_FLAGS) byName.set(name, { name, enabledGlobally: false, organizationIds: [] });
  for (const flag of flags) byName.set(flag.name, { ...flag, organizationIds: [] });
  for (const entry of organizations) byName.get(entry.name)?.organizationIds.push(entry.organizationId);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
