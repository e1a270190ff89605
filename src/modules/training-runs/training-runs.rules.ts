import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { entity, feature, member } from '../../authz/guards.js';

/** SPEC §2 `training_ui`: READ sees the runs, MANAGE starts and cancels them. */
const manageTrainingRun = entity({
  typeName: 'TrainingRun',
  load: (ctx, id) => ctx.loaders.trainingRuns.load(id),
  feature: 'training_ui',
  level: 'MANAGE',
});

export const trainingRunsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      trainingRuns: feature('training_ui', 'READ', 'parent.id'),
    },
    Mutation: {
      startTrainingRun: feature('training_ui', 'MANAGE', 'args.organizationId'),
      cancelTrainingRun: manageTrainingRun,
    },
    TrainingRun: { createdBy: member('parent.organizationId') },
  },
  inherits: {
    TrainingRun: {
      fields: ['id', 'name', 'agentId', 'iterations', 'status', 'createdAt', 'updatedAt'],
      reason: 'plain data of a training run (agentId is an id of the same organization); every field returning one checks training_ui >= READ',
    },
    TrainingRunConnection: { fields: '*', reason: 'page of training runs; Organization.trainingRuns checks training_ui >= READ' },
    TrainingRunEdge: { fields: '*', reason: 'edge of a TrainingRunConnection' },
  },
};
