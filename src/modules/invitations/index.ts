import type { GatehouseModule } from '../module.js';
import { createInvitationLoaders } from './invitations.loaders.js';
import { invitationsResolvers } from './invitations.resolvers.js';
import { invitationsAuthorization } from './invitations.rules.js';

export const invitationsModule: GatehouseModule = {
  name: 'invitations',
  resolvers: invitationsResolvers,
  authorization: invitationsAuthorization,
};
export { createInvitationLoaders };
