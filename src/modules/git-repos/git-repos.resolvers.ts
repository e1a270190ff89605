import { resolveAccessEntries } from '../access-lists/access-list-input.js';
import { withUniqueName } from '../../db/unique-name.js';
import { BadUserInputError, NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseOrganizationId, parseUuid } from '../../graphql/ids.js';
import { parsePage, toConnection } from '../../graphql/pagination.js';
import { cloneUrl, sealReadCredential } from './git-read-credential.js';
import { countGitRepos, deleteGitRepo, insertGitRepo, listGitRepos, setGitRepoAccessList, setGitRepoReadCredential } from './git-repos.repository.js';
import type { GitRepoRow } from './git-repos.table.js';

// The table's CHECK, checked first so that a typo is a clear BAD_USER_INPUT.
const FULL_NAME = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
// A subset of `git check-ref-format`: no leading "-", "/" or ".", no "..", "//", trailing "/", "." or ".lock".
const BRANCH = /^(?![-./])(?!.*\.\.)(?!.*\/\/)(?!.*[./]$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,255}$/;

function fullName(raw: string): string {
  const name = raw.trim();
  if (!FULL_NAME.test(name)) {
    throw new BadUserInputError(
      `fullName must be "owner/name" (for example "acme/crew-tools"): letters, digits, "_", "." or "-", at most 100 on each side; got ${JSON.stringify(raw.slice(0, 210))}.`,
      { field: 'fullName' },
    );
  }
  return name;
}

function defaultBranch(raw: string | null | undefined): string {
  if (raw == null || raw.trim() === '') return 'main';
  const branch = raw.trim();
  if (!BRANCH.test(branch)) {
    throw new BadUserInputError('defaultBranch must be a valid Git branch name (for example "main" or "release/1.2").', { field: 'defaultBranch' });
  }
  return branch;
}

// The mutation's rule has already checked organization, level and Git RBAC for this id.
async function loadGitRepo(ctx: GraphQLContext, rawId: string): Promise<GitRepoRow> {
  const id = parseUuid(rawId);
  const row = id ? await ctx.loaders.gitRepos.load(id) : null;
  if (!row) throw new NotFoundError('GitRepo', rawId);
  return row;
}

export const gitReposResolvers: Resolvers = {
  Organization: {
    gitRepos: async (org, args, ctx) => {
      await ctx.authz.ensure(org.id);
      const scope = ctx.authz.scope(org.id);
      if (!scope) throw new NotFoundError('Organization', org.id);
      const page = parsePage(args, ctx.config.maxPageSize);
      return toConnection(await listGitRepos(ctx.db, scope, page), page, () => countGitRepos(ctx.db, scope));
    },
  },
  Mutation: {
    connectGitRepo: async (_root, { organizationId, input }, ctx) => {
      const orgId = parseOrganizationId(organizationId);
      if (orgId === null) throw new NotFoundError('Organization', organizationId);
      const name = fullName(input.fullName);
      const provider = input.provider ?? 'GITHUB';
      return withUniqueName(`${provider} repository "${name}" is already connected to this organization.`, () =>
        insertGitRepo(ctx.db, {
          organizationId: orgId,
          provider,
          fullName: name,
          defaultBranch: defaultBranch(input.defaultBranch),
          cloneUrl: cloneUrl(provider, name, input.cloneUrl),
        }),
      );
    },
    disconnectGitRepo: async (_root, { id }, ctx) => {
      const row = await loadGitRepo(ctx, id);
      if (!(await deleteGitRepo(ctx.db, row.organizationId, row.id))) throw new NotFoundError('GitRepo', id);
      return row.id;
    },
    setGitRepoAccess: async (_root, { id, access }, ctx) => {
      const row = await loadGitRepo(ctx, id);
      // Principals are resolved before the transaction: another organization's ids are NOT_FOUND.
      const entries = await resolveAccessEntries(ctx, row.organizationId, access);
      const updated = await setGitRepoAccessList(ctx.db, row.organizationId, row.id, entries);
      if (!updated) throw new NotFoundError('GitRepo', id);
      return updated;
    },
    setGitRepoReadCredential: async (_root, { id, credential }, ctx) => {
      const row = await loadGitRepo(ctx, id);
      // Sealed here, bound to this row: the token is in clear only in this request's memory.
      const sealed = credential ? sealReadCredential(ctx.secrets, row, credential) : null;
      const updated = await setGitRepoReadCredential(ctx.db, row.organizationId, row.id, sealed);
      if (!updated) throw new NotFoundError('GitRepo', id);
      return updated;
    },
  },
  GitRepo: {
    hasReadCredential: (row) => row.readCredentialCiphertext !== null,
    accessList: (row, _args, ctx) => ctx.loaders.accessLists.load({ resourceType: 'GIT_REPO', resourceId: row.id }),
  },
};
