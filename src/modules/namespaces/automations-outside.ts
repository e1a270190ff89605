import type { Executor } from '../../db/database.js';
import { findAutomationsByIds } from '../automations/automations.repository.js';
import { latestDeployedVersions } from '../deployments/deployments.repository.js';

/** An automation still running outside its organization's namespace. */
export interface AutomationOutsideNamespace {
  automationId: string;
  name: string;
  /** Where it runs: the namespace of its latest DEPLOYED version. */
  namespace: string;
  version: number;
}

/**
 * The organization's automations (deleted ones aside) whose latest DEPLOYED version went to
 * another namespace than `namespace`, the one the organization deploys to now: those isolation
 * was turned on (or off) under. A redeploy moves one; `gatehouse namespaces migrate` moves them all
 * (src/modules/deployments/move-automation.ts). Ordered by name.
 */
export async function automationsOutsideNamespace(db: Executor, organizationId: number, namespace: string): Promise<AutomationOutsideNamespace[]> {
  const elsewhere = (await latestDeployedVersions(db, organizationId)).filter((row) => row.namespace !== namespace);
  if (elsewhere.length === 0) return [];
  const live = new Map(
    (
      await findAutomationsByIds(
        db,
        elsewhere.map((row) => row.automationId),
      )
    )
      .filter((a) => a.deletedAt === null)
      .map((a) => [a.id, a]),
  );
  return elsewhere
    .flatMap((row) => {
      const automation = live.get(row.automationId);
      return automation ? [{ automationId: automation.id, name: automation.name, namespace: row.namespace, version: row.version }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.automationId.localeCompare(b.automationId));
}
