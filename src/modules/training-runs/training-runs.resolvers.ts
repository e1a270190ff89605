import { ConflictError, NotFoundError } from '../../errors.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { createdBy, loadFound, pageOf } from '../../graphql/resource-helpers.js';
import { boundedInt, requiredText } from '../../graphql/validate.js';
import { CANCELLABLE, cancelTrainingRun, countTrainingRuns, insertTrainingRun, listTrainingRuns } from './training-runs.repository.js';

/** The column's check (1..100 iterations), reported as BAD_USER_INPUT before the insert. */
const MAX_ITERATIONS = 100;

export const trainingRunsResolvers: Resolvers = {
  Organization: {
    trainingRuns: (org, args, ctx) =>
      pageOf(
        args,
        ctx,
        (page) => listTrainingRuns(ctx.db, org.id, page),
        () => countTrainingRuns(ctx.db, org.id),
      ),
  },
  Mutation: {
    // No training executor exists yet (see schema/training-runs.graphql): the run is recorded as
    // QUEUED and stays so until one picks it up.
    startTrainingRun: async (_root, { organizationId, input }, ctx) => {
      const orgId = Number(organizationId);
      const name = requiredText(input.name, 'name', 100);
      const iterations = boundedInt(input.iterations, 'iterations', 1, MAX_ITERATIONS);
      let agentId: string | null = null;
      if (input.agentId != null) {
        // Another organization's agent is reported exactly like a missing one (SPEC §1).
        const id = parseUuid(input.agentId);
        const agent = id ? await ctx.loaders.agents.load(id) : null;
        if (!agent || agent.organizationId !== orgId) throw new NotFoundError('Agent', input.agentId);
        agentId = agent.id;
      }
      return insertTrainingRun(ctx.db, { organizationId: orgId, name, agentId, iterations, createdByUserId: ctx.authz.userId });
    },
    cancelTrainingRun: async (_root, { id }, ctx) => {
      const run = await loadFound(ctx.loaders.trainingRuns, id, 'TrainingRun');
      if (!CANCELLABLE.includes(run.status)) {
        throw new ConflictError(`Training run "${run.name}" has already ended (${run.status}); only QUEUED or RUNNING runs can be cancelled.`);
      }
      const cancelled = await cancelTrainingRun(ctx.db, run.organizationId, run.id);
      // Seen cancellable a moment ago: it ended (or was deleted with its agent) in between.
      if (!cancelled) throw new ConflictError(`Training run "${run.name}" is no longer QUEUED or RUNNING; reload it to see its status.`);
      return cancelled;
    },
  },
  TrainingRun: {
    createdBy,
  },
};
