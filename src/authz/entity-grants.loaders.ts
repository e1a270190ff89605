import DataLoader from 'dataloader';
import type { Db } from '../db/database.js';
import type { EntityGrantRow, ResourceType } from './entity-grants.table.js';
import { listGrants } from './entity-grants.repository.js';

export interface ResourceKey {
  resourceType: ResourceType;
  resourceId: string;
}

/** Access lists of many resources in one query per resource type and tick. */
export function createEntityGrantLoaders(db: Db) {
  return {
    accessLists: new DataLoader<ResourceKey, EntityGrantRow[], string>(
      async (keys) => {
        const byType = new Map<ResourceType, string[]>();
        for (const key of keys) byType.set(key.resourceType, [...(byType.get(key.resourceType) ?? []), key.resourceId]);
        const rows = (await Promise.all([...byType].map(([type, ids]) => listGrants(db, type, ids)))).flat();
        return keys.map((key) => rows.filter((row) => row.resourceType === key.resourceType && row.resourceId === key.resourceId));
      },
      { cacheKeyFn: (key) => `${key.resourceType}:${key.resourceId}` },
    ),
  };
}
