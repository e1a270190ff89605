import { apiKeyContext } from './llm-connection-secrets.js';
import { randomUUID } from 'node:crypto';
import { resolveAccessEntries } from '../access-lists/access-list-input.js';
import { withUniqueName } from '../../db/unique-name.js';
import { BadUserInputError, NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseOrganizationId, parseUuid } from '../../graphql/ids.js';
import { parsePage, toConnection } from '../../graphql/pagination.js';
import { requiredText } from '../../graphql/validate.js';
import {
  countLlmConnections,
  deleteLlmConnection,
  insertLlmConnection,
  listLlmConnections,
  setLlmConnectionAccessList,
  updateLlmConnection,
  type LlmConnectionPatch,
} from './llm-connections.repository.js';
import type { LlmConnectionRow } from './llm-connections.table.js';

const MAX_API_KEY = 4096;
const MAX_URL = 2048;
const MAX_MODEL = 200;

function apiKey(raw: string): string {
  const key = raw.trim();
  if (key.length === 0 || key.length > MAX_API_KEY) throw new BadUserInputError(`apiKey must be 1 to ${MAX_API_KEY} characters.`, { field: 'apiKey' });
  return key;
}

/** SPEC §3: at most a masked hint is readable; short keys show nothing, as four characters would be most of them. */
function apiKeyHint(key: string): string {
  return key.length < 8 ? '••••' : `••••${key.slice(-4)}`;
}

interface SealedKey {
  apiKeyCiphertext: Buffer;
  apiKeyHint: string;
}

function sealKey(ctx: GraphQLContext, organizationId: number, id: string, key: string): SealedKey {
  return { apiKeyCiphertext: ctx.secrets.seal(key, apiKeyContext(organizationId, id)), apiKeyHint: apiKeyHint(key) };
}

/** `undefined`: leave as is; `null` or blank: clear; otherwise an http(s) URL without credentials. */
function baseUrl(raw: string | null | undefined): string | null | undefined {
  if (raw === undefined) return undefined;
  const text = raw?.trim() ?? '';
  if (text === '') return null;
  const invalid = new BadUserInputError('baseUrl must be an http:// or https:// URL of at most 2048 characters, without credentials in it.', {
    field: 'baseUrl',
  });
  if (text.length > MAX_URL || !URL.canParse(text)) throw invalid;
  const url = new URL(text);
  // Credentials in the URL would be readable by everyone who can list connections; the key goes in apiKey.
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') throw invalid;
  return text;
}

function defaultModel(raw: string | null | undefined): string | null | undefined {
  if (raw === undefined) return undefined;
  const text = raw?.trim() ?? '';
  if (text === '') return null;
  if (text.length > MAX_MODEL) throw new BadUserInputError(`defaultModel must be at most ${MAX_MODEL} characters.`, { field: 'defaultModel' });
  return text;
}

const nameTaken = (name: string | undefined) =>
  `An LLM connection named "${name ?? ''}" already exists in this organization (names ignore case); choose another name.`;

// The mutation's rule has already checked organization, level and access list for this id.
async function loadLlmConnection(ctx: GraphQLContext, rawId: string): Promise<LlmConnectionRow> {
  const id = parseUuid(rawId);
  const row = id ? await ctx.loaders.llmConnections.load(id) : null;
  if (!row) throw new NotFoundError('LLMConnection', rawId);
  return row;
}

export const llmConnectionsResolvers: Resolvers = {
  Organization: {
    llmConnections: async (org, args, ctx) => {
      await ctx.authz.ensure(org.id);
      const scope = ctx.authz.scope(org.id);
      if (!scope) throw new NotFoundError('Organization', org.id);
      const page = parsePage(args, ctx.config.maxPageSize);
      return toConnection(await listLlmConnections(ctx.db, scope, page), page, () => countLlmConnections(ctx.db, scope));
    },
  },
  Mutation: {
    createLLMConnection: async (_root, { organizationId, input }, ctx) => {
      const orgId = parseOrganizationId(organizationId);
      if (orgId === null) throw new NotFoundError('Organization', organizationId);
      const name = requiredText(input.name, 'name', 100);
      const key = apiKey(input.apiKey);
      const url = baseUrl(input.baseUrl) ?? null;
      const model = defaultModel(input.defaultModel) ?? null;
      // The id is chosen before the insert because the key's ciphertext is bound to it.
      const id = randomUUID();
      return withUniqueName(nameTaken(name), () =>
        insertLlmConnection(ctx.db, {
          id,
          organizationId: orgId,
          name,
          provider: input.provider,
          baseUrl: url,
          defaultModel: model,
          ...sealKey(ctx, orgId, id, key),
        }),
      );
    },
    updateLLMConnection: async (_root, { id, input }, ctx) => {
      const name = input.name != null ? requiredText(input.name, 'name', 100) : undefined;
      const key = input.apiKey != null ? apiKey(input.apiKey) : undefined;
      const url = baseUrl(input.baseUrl);
      const model = defaultModel(input.defaultModel);
      const row = await loadLlmConnection(ctx, id);
      const patch: LlmConnectionPatch = {
        ...(name !== undefined ? { name } : {}),
        ...(url !== undefined ? { baseUrl: url } : {}),
        ...(model !== undefined ? { defaultModel: model } : {}),
        ...(key !== undefined ? sealKey(ctx, row.organizationId, row.id, key) : {}),
      };
      const updated = await withUniqueName(nameTaken(name), () => updateLlmConnection(ctx.db, row.organizationId, row.id, patch));
      if (!updated) throw new NotFoundError('LLMConnection', id);
      return updated;
    },
    deleteLLMConnection: async (_root, { id }, ctx) => {
      const row = await loadLlmConnection(ctx, id);
      if (!(await deleteLlmConnection(ctx.db, row.organizationId, row.id))) throw new NotFoundError('LLMConnection', id);
      return row.id;
    },
    setLLMConnectionAccess: async (_root, { id, access }, ctx) => {
      const row = await loadLlmConnection(ctx, id);
      // Principals are resolved before the transaction: another organization's ids are NOT_FOUND.
      const entries = access == null ? null : await resolveAccessEntries(ctx, row.organizationId, access);
      const updated = await setLlmConnectionAccessList(ctx.db, row.organizationId, row.id, entries);
      if (!updated) throw new NotFoundError('LLMConnection', id);
      return updated;
    },
  },
  LLMConnection: {
    accessList: (row, _args, ctx) => ctx.loaders.accessLists.load({ resourceType: 'LLM_CONNECTION', resourceId: row.id }),
  },
};
