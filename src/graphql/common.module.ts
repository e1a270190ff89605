import type { GatehouseModule } from '../modules/module.js';

/** Types of schema/common.graphql shared by every module. */
export const commonModule: GatehouseModule = {
  name: 'common',
  resolvers: {},
  authorization: {
    rules: {},
    inherits: {
      PageInfo: { fields: '*', reason: 'pagination state of a connection whose own field was authorized' },
    },
  },
};
