import type { Feature, Level } from '../../src/authz/features.js';

/**
 * For every feature of SPEC §2, one operation that reads what it gates and one that manages it.
 * `read` needs READ for features that have that level, MANAGE for the Manage/No-access ones.
 */
export interface Operation {
  query: string;
  variables: (organizationId: number, n: number) => Record<string, unknown>;
}

export interface FeatureOperations {
  read: Operation;
  readNeeds: Level;
  /** null: nothing in the API yet manages it (crews_dashboards: automations arrive with issue 3). */
  manage: Operation | null;
}

const orgField = (selection: string): Operation => ({
  query: `query($id: ID!) { organization(id: $id) { ${selection} } }`,
  variables: (organizationId) => ({ id: String(organizationId) }),
});

const create = (mutation: string, input: string, result = 'id'): Operation => ({
  query: `mutation($org: ID!, $n: String!) { ${mutation}(organizationId: $org, input: ${input}) { ${result} } }`,
  variables: (organizationId, n) => ({ org: String(organizationId), n: `x${n}` }),
});

export const FEATURE_OPERATIONS: Record<Feature, FeatureOperations> = {
  usage_dashboards: {
    read: orgField('usage { alertThresholdPercent }'),
    readNeeds: 'READ',
    manage: {
      query: 'mutation($org: ID!) { updateUsageBudget(organizationId: $org, input: { alertThresholdPercent: 90 }) { alertThresholdPercent } }',
      variables: (organizationId) => ({ org: String(organizationId) }),
    },
  },
  crews_dashboards: { read: orgField('gitRepos { totalCount }'), readNeeds: 'READ', manage: null },
  invitations: {
    read: orgField('invitations { totalCount }'),
    readNeeds: 'READ',
    manage: {
      query: 'mutation($org: ID!, $n: String!) { inviteMember(organizationId: $org, input: { email: $n }) { id } }',
      variables: (organizationId, n) => ({ org: String(organizationId), n: `invitee${n}@example.com` }),
    },
  },
  training_ui: {
    read: orgField('trainingRuns { totalCount }'),
    readNeeds: 'READ',
    manage: create('startTrainingRun', '{ name: $n, iterations: 3 }'),
  },
  tools: { read: orgField('tools { totalCount }'), readNeeds: 'READ', manage: create('createTool', '{ name: $n, kind: HTTP }') },
  agents: { read: orgField('agents { totalCount }'), readNeeds: 'READ', manage: create('createAgent', '{ name: $n }') },
  environment_variables: {
    read: orgField('envVars { totalCount }'),
    readNeeds: 'MANAGE',
    manage: create('createEnvVar', '{ name: $n, value: "v" }'),
  },
  llm_connections: {
    read: orgField('llmConnections { totalCount }'),
    readNeeds: 'MANAGE',
    manage: create('createLLMConnection', '{ name: $n, provider: OPENAI, apiKey: "sk-test-1234567890" }'),
  },
  default_settings: {
    read: orgField('defaults { defaultRunTimeoutSeconds }'),
    readNeeds: 'MANAGE',
    manage: {
      query: 'mutation($org: ID!) { updateOrganizationDefaults(organizationId: $org, input: { defaultRunTimeoutSeconds: 600 }) { defaultRunTimeoutSeconds } }',
      variables: (organizationId) => ({ org: String(organizationId) }),
    },
  },
  organization_settings: {
    read: orgField('settings { plan entityRbac }'),
    readNeeds: 'MANAGE',
    manage: create('createRole', '{ name: $n }'),
  },
  studio_projects: {
    read: orgField('studioProjects { totalCount }'),
    readNeeds: 'MANAGE',
    manage: create('createStudioProject', '{ name: $n }'),
  },
};
