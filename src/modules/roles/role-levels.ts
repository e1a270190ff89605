import { ALLOWED_LEVELS, FEATURES, OWNER_LEVELS, type Feature, type FeatureLevels, type Level } from '../../authz/features.js';
import { BadUserInputError } from '../../errors.js';
import type { FeaturePermissionModel } from '../../graphql/models.js';

/**
 * Applies requested levels over a base, refusing a level outside the feature's allowed set with
 * BAD_USER_INPUT naming the feature and its allowed levels (SPEC §2 "Custom roles").
 */
export function applyLevels(base: FeatureLevels, requested: ReadonlyArray<{ feature: Feature; level: Level }>): FeatureLevels {
  const levels = { ...base };
  const seen = new Set<Feature>();
  for (const { feature, level } of requested) {
    if (seen.has(feature)) throw new BadUserInputError(`${feature} is listed twice; give each feature once.`, { feature });
    seen.add(feature);
    const allowed = ALLOWED_LEVELS[feature];
    if (!allowed.includes(level)) {
      throw new BadUserInputError(`${feature} cannot be ${level}; its allowed levels are ${allowed.join(', ')}.`, {
        feature,
        level,
        allowedLevels: allowed,
      });
    }
    levels[feature] = level;
  }
  return levels;
}

export const NO_ACCESS_LEVELS: FeatureLevels = Object.fromEntries(FEATURES.map((f) => [f, 'NO_ACCESS'])) as FeatureLevels;

export function featurePermissions(levels: FeatureLevels, isOwner = false): FeaturePermissionModel[] {
  const effective = isOwner ? OWNER_LEVELS : levels;
  return FEATURES.map((feature) => ({ feature, level: effective[feature], allowedLevels: ALLOWED_LEVELS[feature] }));
}
