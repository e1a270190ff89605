import type { GatehouseModule } from '../module.js';
import { actorDisplayName } from '../../graphql/actor.js';

/** Types of schema/common.graphql shared by every module. */
export const commonModule: GatehouseModule = {
  name: 'common',
  resolvers: {
    Actor: { displayName: (actor, _args, ctx) => actorDisplayName(actor, ctx) },
  },
  authorization: {
    rules: {},
    inherits: {
      PageInfo: { fields: '*', reason: 'pagination state of a connection whose own field was authorized' },
      Actor: {
        fields: ['principalType', 'principalId', 'displayName'],
        reason: 'who did something the parent field showed: a kind, an id and a name, never an email',
      },
    },
  },
};
