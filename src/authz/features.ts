/**
 * Implements SPEC §2 "Feature permissions": the features, their ordered levels, the levels each
 * feature allows, and the predefined roles and templates. Everything else reads these tables.
 */
export const LEVELS = ['NO_ACCESS', 'READ', 'MANAGE'] as const;
export type Level = (typeof LEVELS)[number];

export const FEATURES = [
  'usage_dashboards',
  'crews_dashboards',
  'invitations',
  'training_ui',
  'tools',
  'agents',
  'environment_variables',
  'llm_connections',
  'default_settings',
  'organization_settings',
  'studio_projects',
] as const;
export type Feature = (typeof FEATURES)[number];

export type FeatureLevels = Record<Feature, Level>;

const FULL: readonly Level[] = ['MANAGE', 'READ', 'NO_ACCESS'];
const BINARY: readonly Level[] = ['MANAGE', 'NO_ACCESS'];

export const ALLOWED_LEVELS: Readonly<Record<Feature, readonly Level[]>> = {
  usage_dashboards: FULL,
  crews_dashboards: FULL,
  invitations: FULL,
  training_ui: FULL,
  tools: FULL,
  agents: FULL,
  environment_variables: BINARY,
  llm_connections: BINARY,
  default_settings: BINARY,
  organization_settings: BINARY,
  studio_projects: BINARY,
};

/** `NO_ACCESS < READ < MANAGE`; MANAGE includes READ. */
export function satisfies(held: Level, needed: Level): boolean {
  return LEVELS.indexOf(held) >= LEVELS.indexOf(needed);
}

export function isFeature(value: string): value is Feature {
  return (FEATURES as readonly string[]).includes(value);
}

export function isLevel(value: string): value is Level {
  return (LEVELS as readonly string[]).includes(value);
}

export const OWNER_LEVELS: FeatureLevels = {
  usage_dashboards: 'MANAGE',
  crews_dashboards: 'MANAGE',
  invitations: 'MANAGE',
  training_ui: 'MANAGE',
  tools: 'MANAGE',
  agents: 'MANAGE',
  environment_variables: 'MANAGE',
  llm_connections: 'MANAGE',
  default_settings: 'MANAGE',
  organization_settings: 'MANAGE',
  studio_projects: 'MANAGE',
};

export const MEMBER_DEFAULT_LEVELS: FeatureLevels = {
  usage_dashboards: 'READ',
  crews_dashboards: 'READ',
  invitations: 'READ',
  training_ui: 'READ',
  tools: 'READ',
  agents: 'READ',
  environment_variables: 'MANAGE',
  llm_connections: 'MANAGE',
  default_settings: 'NO_ACCESS',
  organization_settings: 'NO_ACCESS',
  studio_projects: 'MANAGE',
};

export interface RoleTemplateDefinition {
  template: 'DEVELOPER' | 'VIEWER' | 'OPS';
  name: string;
  description: string;
  levels: FeatureLevels;
}

/** rbac-docs-source.txt "Common Role Patterns". */
export const ROLE_TEMPLATES: readonly RoleTemplateDefinition[] = [
  {
    template: 'DEVELOPER',
    name: 'Developer',
    description: 'Builds and deploys automations; does not manage organization settings.',
    levels: {
      usage_dashboards: 'READ',
      crews_dashboards: 'MANAGE',
      invitations: 'READ',
      training_ui: 'READ',
      tools: 'MANAGE',
      agents: 'MANAGE',
      environment_variables: 'MANAGE',
      llm_connections: 'MANAGE',
      default_settings: 'NO_ACCESS',
      organization_settings: 'NO_ACCESS',
      studio_projects: 'MANAGE',
    },
  },
  {
    template: 'VIEWER',
    name: 'Viewer',
    description: 'Stakeholders who monitor automations and view results.',
    levels: {
      usage_dashboards: 'READ',
      crews_dashboards: 'READ',
      invitations: 'NO_ACCESS',
      training_ui: 'READ',
      tools: 'READ',
      agents: 'READ',
      environment_variables: 'NO_ACCESS',
      llm_connections: 'NO_ACCESS',
      default_settings: 'NO_ACCESS',
      organization_settings: 'NO_ACCESS',
      studio_projects: 'NO_ACCESS',
    },
  },
  {
    template: 'OPS',
    name: 'Ops',
    description:
      'Platform operators who manage infrastructure settings but may not build agents. The source table gives ' +
      'organization_settings "Read", which that feature does not allow (Manage / No access only): this template ' +
      'uses NO_ACCESS, the least privilege; raise it to MANAGE deliberately if the role must change organization settings.',
    levels: {
      usage_dashboards: 'MANAGE',
      crews_dashboards: 'MANAGE',
      invitations: 'MANAGE',
      training_ui: 'READ',
      tools: 'READ',
      agents: 'READ',
      environment_variables: 'MANAGE',
      llm_connections: 'MANAGE',
      default_settings: 'MANAGE',
      organization_settings: 'NO_ACCESS',
      studio_projects: 'NO_ACCESS',
    },
  },
];

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
export type FeatureColumn = CamelCase<Feature>;
/** The roles table's feature columns as kysely sees them (CamelCasePlugin: `usage_dashboards` → `usageDashboards`). */
export type FeatureColumns = Record<FeatureColumn, Level>;

export const FEATURE_COLUMN: Readonly<Record<Feature, FeatureColumn>> = {
  usage_dashboards: 'usageDashboards',
  crews_dashboards: 'crewsDashboards',
  invitations: 'invitations',
  training_ui: 'trainingUi',
  tools: 'tools',
  agents: 'agents',
  environment_variables: 'environmentVariables',
  llm_connections: 'llmConnections',
  default_settings: 'defaultSettings',
  organization_settings: 'organizationSettings',
  studio_projects: 'studioProjects',
};

export function levelsFromColumns(row: FeatureColumns): FeatureLevels {
  const levels = {} as FeatureLevels;
  for (const feature of FEATURES) levels[feature] = row[FEATURE_COLUMN[feature]];
  return levels;
}

export function columnsFromLevels(levels: FeatureLevels): FeatureColumns {
  const columns = {} as FeatureColumns;
  for (const feature of FEATURES) columns[FEATURE_COLUMN[feature]] = levels[feature];
  return columns;
}
