import DataLoader from 'dataloader';
import type { Db } from '../../db/database.js';
import { organizationIdsOfUsers } from './members.repository.js';

/** The organizations of many users in one query per tick: who may read a user's email (SPEC §6). */
export function createMemberLoaders(db: Db) {
  return {
    organizationsOfUser: new DataLoader<string, number[]>(async (userIds) => {
      const rows = await organizationIdsOfUsers(db, userIds);
      return userIds.map((userId) => rows.filter((row) => row.userId === userId).map((row) => row.organizationId));
    }),
  };
}
