import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findGitReposByIds } from './git-repos.repository.js';

export function createGitRepoLoaders(db: Db) {
  return { gitRepos: byIdLoader((ids: readonly string[]) => findGitReposByIds(db, ids)) };
}
