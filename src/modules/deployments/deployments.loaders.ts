import DataLoader from 'dataloader';
import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findDeploymentsByIds, latestDeployments } from './deployments.repository.js';
import type { DeploymentRow } from './deployments.table.js';

export function createDeploymentLoaders(db: Db) {
  return {
    deployments: byIdLoader((ids: readonly string[]) => findDeploymentsByIds(db, ids)),
    latestDeployment: new DataLoader<string, DeploymentRow | null>(async (automationIds) => {
      const rows = await latestDeployments(db, automationIds);
      return automationIds.map((id) => rows.find((row) => row.automationId === id) ?? null);
    }),
  };
}
