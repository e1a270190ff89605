import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { instanceAdmin } from '../../authz/instance-admin.rule.js';

/** SPEC §5: instance feature flags belong to the operators of the instance, not to any organization. */
export const featureFlagsAuthorization: ModuleAuthorization = {
  rules: {
    Query: { featureFlags: instanceAdmin },
    Mutation: { setFeatureFlag: instanceAdmin },
  },
  inherits: {
    FeatureFlag: { fields: '*', reason: 'plain data of a flag; Query.featureFlags and Mutation.setFeatureFlag need an instance administrator' },
  },
};
