import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findStudioProjectsByIds } from './studio-projects.repository.js';

export function createStudioProjectLoaders(db: Db) {
  return { studioProjects: byIdLoader((ids: readonly string[]) => findStudioProjectsByIds(db, ids)) };
}
