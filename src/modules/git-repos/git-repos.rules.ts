import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { entity, feature, unscopedFeature } from '../../authz/guards.js';
import { isGitRepoVisible } from './git-repos.repository.js';

/**
 * Connecting repositories and their Git RBAC lists are organization configuration (SPEC §2
 * `organization_settings`); with Git RBAC on, a repository off one's list does not exist for one
 * (SPEC §3), Owners excepted.
 */
const configureGitRepo = entity({
  typeName: 'GitRepo',
  load: (ctx, id) => ctx.loaders.gitRepos.load(id),
  feature: 'organization_settings',
  level: 'MANAGE',
  visible: (ctx, id, scope) => isGitRepoVisible(ctx.db, id, scope),
});

export const gitReposAuthorization: ModuleAuthorization = {
  rules: {
    // Listing is part of deploying from GitHub (SPEC §4: crews_dashboards >= READ), filtered by Git RBAC.
    // Repositories are for deploying, which a scoped token may not (SPEC §6).
    Organization: { gitRepos: unscopedFeature('crews_dashboards', 'READ', 'parent.id') },
    Mutation: {
      connectGitRepo: feature('organization_settings', 'MANAGE', 'args.organizationId'),
      disconnectGitRepo: configureGitRepo,
      setGitRepoAccess: configureGitRepo,
      // The credential is configuration of the repository, like connecting it (SPEC §7).
      setGitRepoReadCredential: configureGitRepo,
    },
    GitRepo: { accessList: feature('organization_settings', 'MANAGE', 'parent.organizationId') },
  },
  inherits: {
    GitRepo: {
      fields: ['id', 'provider', 'fullName', 'defaultBranch', 'cloneUrl', 'hasReadCredential', 'readCredentialUpdatedAt', 'createdAt'],
      reason:
        'public metadata of a connected repository (whether a read credential is set, never the credential); every field returning one checks crews_dashboards >= READ and Git RBAC',
    },
    GitRepoConnection: { fields: '*', reason: 'page of repositories; Organization.gitRepos checks crews_dashboards >= READ and filters by Git RBAC' },
    GitRepoEdge: { fields: '*', reason: 'edge of a GitRepoConnection' },
  },
};
