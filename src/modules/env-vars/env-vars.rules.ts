import DataLoader from 'dataloader';
import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { fieldName, guard } from '../../authz/guard.js';
import { entity, feature, featureDecision } from '../../authz/guards.js';
import { reaches } from '../../authz/permission-set.js';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Loaders } from '../../graphql/loaders.js';
import { isEnvVarVisible, visibleEnvVarIds } from './env-vars.repository.js';

interface EnvVarRef {
  organizationId: number;
  id: string;
}

const refKey = (ref: EnvVarRef) => `${ref.organizationId}:${ref.id}`;

function envVarRef(parent: unknown): EnvVarRef | null {
  if (typeof parent !== 'object' || parent === null || !('id' in parent) || !('organizationId' in parent)) return null;
  const { id, organizationId } = parent;
  return typeof id === 'string' && typeof organizationId === 'number' ? { id, organizationId } : null;
}

// Request-scoped: a page of 1,000 env vars asking for `value` costs one visibility query per
// organization, not one per row. Keyed on the request's loaders, so it dies with them: with the
// request, and after each mutation, which gets new ones (src/graphql/fresh-loaders.middleware.ts).
const visibilityLoaders = new WeakMap<Loaders, DataLoader<EnvVarRef, boolean, string>>();

function visibility(ctx: GraphQLContext): DataLoader<EnvVarRef, boolean, string> {
  const existing = visibilityLoaders.get(ctx.loaders);
  if (existing) return existing;
  const loader = new DataLoader<EnvVarRef, boolean, string>(
    async (refs) => {
      const byOrganization = new Map<number, string[]>();
      for (const ref of refs) byOrganization.set(ref.organizationId, [...(byOrganization.get(ref.organizationId) ?? []), ref.id]);
      const visible = new Set<string>();
      await Promise.all(
        [...byOrganization].map(async ([organizationId, ids]) => {
          await ctx.authz.ensure(organizationId);
          const scope = ctx.authz.scope(organizationId);
          if (!scope) return;
          for (const id of await visibleEnvVarIds(ctx.db, ids, scope)) visible.add(refKey({ organizationId, id }));
        }),
      );
      return refs.map((ref) => visible.has(refKey(ref)));
    },
    { cacheKeyFn: refKey },
  );
  visibilityLoaders.set(ctx.loaders, loader);
  return loader;
}

/**
 * SPEC §3 "Secrets at field level": an env var's value is readable only by principals who may
 * manage that env var. Checked again here, per row, because `EnvVar` is returned by mutations and
 * lists alike and a secret must not rely on every path to it being ruled correctly.
 */
const readEnvVarValue = guard(
  'envVar:value',
  async (parent, _args, ctx, info) => {
    if (!ctx.authz.principal) return new UnauthenticatedError();
    const ref = envVarRef(parent);
    if (ref) await ctx.authz.ensure(ref.organizationId);
    if (!ref || !ctx.authz.grant(ref.organizationId)) return new NotFoundError('EnvVar', ref?.id ?? '');
    const decision = featureDecision(ctx, ref.organizationId, 'environment_variables', 'MANAGE', fieldName(info));
    if (decision !== true) return decision;
    return (await visibility(ctx).load(ref)) ? true : new NotFoundError('EnvVar', ref.id);
  },
  reaches.feature('environment_variables', 'MANAGE'),
);

/** SPEC §2 `environment_variables` (MANAGE or nothing) and §3 entity RBAC on the env var. */
const manageEnvVar = entity({
  typeName: 'EnvVar',
  load: (ctx, id) => ctx.loaders.envVars.load(id),
  feature: 'environment_variables',
  level: 'MANAGE',
  visible: (ctx, id, scope) => isEnvVarVisible(ctx.db, id, scope),
});

export const envVarsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: { envVars: feature('environment_variables', 'MANAGE', 'parent.id') },
    Mutation: {
      createEnvVar: feature('environment_variables', 'MANAGE', 'args.organizationId'),
      updateEnvVar: manageEnvVar,
      deleteEnvVar: manageEnvVar,
      setEnvVarAccess: manageEnvVar,
    },
    EnvVar: { value: readEnvVarValue },
  },
  inherits: {
    EnvVar: {
      fields: ['id', 'name', 'accessRestricted', 'accessList', 'createdAt', 'updatedAt'],
      reason: 'metadata of an env var; every field returning an EnvVar checks environment_variables: MANAGE and its access list',
    },
    EnvVarConnection: { fields: '*', reason: 'page of env vars; Organization.envVars checks environment_variables: MANAGE and filters by access list' },
    EnvVarEdge: { fields: '*', reason: 'edge of an EnvVarConnection' },
  },
};
