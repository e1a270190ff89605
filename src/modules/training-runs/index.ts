import type { GatehouseModule } from '../module.js';
import { createTrainingRunLoaders } from './training-runs.loaders.js';
import { trainingRunsResolvers } from './training-runs.resolvers.js';
import { trainingRunsAuthorization } from './training-runs.rules.js';

export const trainingRunsModule: GatehouseModule = {
  name: 'training-runs',
  resolvers: trainingRunsResolvers,
  authorization: trainingRunsAuthorization,
};
export { createTrainingRunLoaders };
