import type { GraphQLContext } from './context.js';
import type { ActorModel } from './models.js';

/** The actor of a row that records a user or a service account (one of the two ids is set); null when neither. */
export function actorOf(userId: string | null, serviceAccountId: string | null): ActorModel | null {
  if (userId) return { principalType: 'USER', principalId: userId };
  if (serviceAccountId) return { principalType: 'SERVICE_ACCOUNT', principalId: serviceAccountId };
  return null;
}

/** Actor.displayName: the name, through the request's loaders; empty once the principal is deleted. */
export async function actorDisplayName(actor: ActorModel, ctx: GraphQLContext): Promise<string> {
  const row = actor.principalType === 'USER' ? await ctx.loaders.users.load(actor.principalId) : await ctx.loaders.serviceAccounts.load(actor.principalId);
  return row?.name ?? '';
}
