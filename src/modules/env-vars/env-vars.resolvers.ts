import { openEnvVarValue, valueContext } from './env-var-secrets.js';
import { randomUUID } from 'node:crypto';
import { resolveAccessEntries } from '../access-lists/access-list-input.js';
import { withUniqueName } from '../../db/unique-name.js';
import { BadUserInputError, NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseOrganizationId, parseUuid } from '../../graphql/ids.js';
import { parsePage, toConnection } from '../../graphql/pagination.js';
import { countEnvVars, deleteEnvVar, insertEnvVar, listEnvVars, setEnvVarAccessList, updateEnvVarValue } from './env-vars.repository.js';
import type { EnvVarRow } from './env-vars.table.js';

// The same shape as the table's CHECK, so a bad name is a clear BAD_USER_INPUT, not a database error.
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_VALUE_BYTES = 32 * 1024;

function envVarName(raw: string): string {
  const name = raw.trim();
  if (!NAME.test(name)) {
    throw new BadUserInputError('name must be 1 to 128 letters, digits or underscores and must not start with a digit (for example DATABASE_URL).', {
      field: 'name',
    });
  }
  return name;
}

function envVarValue(value: string): string {
  if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
    throw new BadUserInputError(`value must be at most ${MAX_VALUE_BYTES} bytes (32 KiB) of UTF-8; store larger data elsewhere.`, {
      field: 'value',
    });
  }
  return value;
}

const nameTaken = (name: string) => `An env var named "${name}" already exists in this organization; update it instead.`;

// The mutation's rule has already checked organization, level and access list for this id.
async function loadEnvVar(ctx: GraphQLContext, rawId: string): Promise<EnvVarRow> {
  const id = parseUuid(rawId);
  const row = id ? await ctx.loaders.envVars.load(id) : null;
  if (!row) throw new NotFoundError('EnvVar', rawId);
  return row;
}

export const envVarsResolvers: Resolvers = {
  Organization: {
    envVars: async (org, args, ctx) => {
      await ctx.authz.ensure(org.id);
      const scope = ctx.authz.scope(org.id);
      if (!scope) throw new NotFoundError('Organization', org.id);
      const page = parsePage(args, ctx.config.maxPageSize);
      return toConnection(await listEnvVars(ctx.db, scope, page), page, () => countEnvVars(ctx.db, scope));
    },
  },
  Mutation: {
    createEnvVar: async (_root, { organizationId, input }, ctx) => {
      const orgId = parseOrganizationId(organizationId);
      if (orgId === null) throw new NotFoundError('Organization', organizationId);
      const name = envVarName(input.name);
      const value = envVarValue(input.value);
      // The id is chosen before the insert because the ciphertext is bound to it.
      const id = randomUUID();
      return withUniqueName(nameTaken(name), () =>
        insertEnvVar(ctx.db, { id, organizationId: orgId, name, valueCiphertext: ctx.secrets.seal(value, valueContext(orgId, id)) }),
      );
    },
    updateEnvVar: async (_root, { id, input }, ctx) => {
      const value = envVarValue(input.value);
      const row = await loadEnvVar(ctx, id);
      const sealed = ctx.secrets.seal(value, valueContext(row.organizationId, row.id));
      const updated = await updateEnvVarValue(ctx.db, row.organizationId, row.id, sealed);
      if (!updated) throw new NotFoundError('EnvVar', id);
      return updated;
    },
    deleteEnvVar: async (_root, { id }, ctx) => {
      const row = await loadEnvVar(ctx, id);
      if (!(await deleteEnvVar(ctx.db, row.organizationId, row.id))) throw new NotFoundError('EnvVar', id);
      return row.id;
    },
    setEnvVarAccess: async (_root, { id, access }, ctx) => {
      const row = await loadEnvVar(ctx, id);
      // Principals are resolved before the transaction: another organization's ids are NOT_FOUND.
      const entries = access == null ? null : await resolveAccessEntries(ctx, row.organizationId, access);
      const updated = await setEnvVarAccessList(ctx.db, row.organizationId, row.id, entries);
      if (!updated) throw new NotFoundError('EnvVar', id);
      return updated;
    },
  },
  EnvVar: {
    value: (row, _args, ctx) => openEnvVarValue(ctx.secrets, row),
    accessList: (row, _args, ctx) => ctx.loaders.accessLists.load({ resourceType: 'ENV_VAR', resourceId: row.id }),
  },
};
