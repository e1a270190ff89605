import type { GraphQLContext } from '../../graphql/context.js';
import type { WebhookViewer } from './webhooks.repository.js';

/**
 * The caller as a reader of the organization's endpoints; undefined for non-members. A scoped API
 * token never administers, whatever its principal's role (SPEC §6: its rights are the
 * intersection of its principal's and its scope's).
 */
export async function webhookViewer(ctx: GraphQLContext, organizationId: number): Promise<WebhookViewer | undefined> {
  const principal = ctx.authz.principal;
  if (!principal) return undefined;
  await ctx.authz.ensure(organizationId);
  if (!ctx.authz.grant(organizationId)) return undefined;
  const tokenScope = principal.scope ?? null;
  return {
    organizationId,
    administers: tokenScope === null && ctx.authz.has(organizationId, 'organization_settings', 'MANAGE'),
    userId: principal.kind === 'user' ? principal.userId : null,
    serviceAccountId: principal.kind === 'service_account' ? principal.serviceAccountId : null,
    tokenScope,
  };
}
