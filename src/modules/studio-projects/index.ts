import type { GatehouseModule } from '../module.js';
import { createStudioProjectLoaders } from './studio-projects.loaders.js';
import { studioProjectsResolvers } from './studio-projects.resolvers.js';
import { studioProjectsAuthorization } from './studio-projects.rules.js';

export const studioProjectsModule: GatehouseModule = {
  name: 'studio-projects',
  resolvers: studioProjectsResolvers,
  authorization: studioProjectsAuthorization,
};
export { createStudioProjectLoaders };
