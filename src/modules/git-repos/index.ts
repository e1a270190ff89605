import type { GatehouseModule } from '../module.js';
import { createGitRepoLoaders } from './git-repos.loaders.js';
import { gitReposResolvers } from './git-repos.resolvers.js';
import { gitReposAuthorization } from './git-repos.rules.js';

export const gitReposModule: GatehouseModule = {
  name: 'git-repos',
  resolvers: gitReposResolvers,
  authorization: gitReposAuthorization,
};
export { createGitRepoLoaders };
