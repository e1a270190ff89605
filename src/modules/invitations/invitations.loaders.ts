import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findInvitationsByIds } from './invitations.repository.js';

export function createInvitationLoaders(db: Db) {
  return { invitations: byIdLoader((ids: readonly string[]) => findInvitationsByIds(db, ids)) };
}
