import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrations } from '../../migrations/index.js';
import { ROOT_DIR } from '../../src/paths.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The kysely `Database` interface (the union of the modules' *.table.ts) must match what the
// migrations create. The column lists below are checked against the interface by the typecheck
// (in both directions) and against the migrated database by this test.
const COLUMNS = {
  organizations: ['id', 'name', 'plan', 'billingEmail', 'zipDeploymentsEnabled', 'gitRepositoryRbac', 'entityRbac', 'defaultAutomationVisibility', 'defaultLlmConnectionId', 'defaultRunTimeoutSeconds', 'createdAt', 'updatedAt'],
  users: ['id', 'email', 'name', 'authSubject', 'emailVerified', 'createdAt'],
  roles: ['id', 'organizationId', 'name', 'kind', 'description', 'template', 'usageDashboards', 'crewsDashboards', 'invitations', 'trainingUi', 'tools', 'agents', 'environmentVariables', 'llmConnections', 'defaultSettings', 'organizationSettings', 'studioProjects', 'createdAt', 'updatedAt'],
  memberships: ['organizationId', 'userId', 'roleId', 'createdAt'],
  invitations: ['id', 'organizationId', 'email', 'roleId', 'invitedByUserId', 'status', 'createdAt', 'expiresAt', 'respondedAt'],
  serviceAccounts: ['id', 'organizationId', 'name', 'description', 'roleId', 'createdAt', 'disabledAt'],
  apiTokens: ['id', 'organizationId', 'userId', 'serviceAccountId', 'name', 'tokenHash', 'tokenPrefix', 'createdByUserId', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt', 'scopeAutomationIds', 'scopePermissions'],
  envVars: ['id', 'organizationId', 'name', 'valueCiphertext', 'accessRestricted', 'createdAt', 'updatedAt'],
  llmConnections: ['id', 'organizationId', 'name', 'provider', 'baseUrl', 'defaultModel', 'apiKeyCiphertext', 'apiKeyHint', 'accessRestricted', 'createdAt', 'updatedAt'],
  gitRepos: ['id', 'organizationId', 'provider', 'fullName', 'defaultBranch', 'cloneUrl', 'readCredentialCiphertext', 'readCredentialUsername', 'readCredentialUpdatedAt', 'createdAt'],
  entityGrants: ['id', 'organizationId', 'resourceType', 'resourceId', 'userId', 'roleId', 'serviceAccountId', 'permissions', 'createdAt'],
  grantSummaries: ['userId', 'memberships', 'organizationIds', 'owner', 'usageDashboards', 'crewsDashboards', 'invitations', 'trainingUi', 'tools', 'agents', 'environmentVariables', 'llmConnections', 'defaultSettings', 'organizationSettings', 'studioProjects', 'automationManageGrant'],
  tools: ['id', 'organizationId', 'name', 'description', 'kind', 'config', 'createdByUserId', 'createdAt', 'updatedAt'],
  agents: ['id', 'organizationId', 'name', 'role', 'goal', 'backstory', 'createdByUserId', 'createdAt', 'updatedAt'],
  studioProjects: ['id', 'organizationId', 'name', 'description', 'definition', 'createdByUserId', 'createdAt', 'updatedAt'],
  trainingRuns: ['id', 'organizationId', 'name', 'agentId', 'iterations', 'status', 'createdByUserId', 'createdAt', 'updatedAt'],
  usageBudgets: ['organizationId', 'monthlyTokenBudget', 'alertThresholdPercent', 'updatedAt'],
  automations: ['id', 'organizationId', 'name', 'description', 'visibility', 'createdByUserId', 'createdAt', 'updatedAt', 'deletedAt'],
  automationArchives: ['id', 'organizationId', 'sha256', 'sizeBytes', 'content', 'uploadedByUserId', 'createdAt'],
  automationDeployments: ['id', 'organizationId', 'automationId', 'version', 'sourceType', 'gitRepoId', 'gitRepoFullName', 'gitRef', 'archiveId', 'archiveSha256', 'studioProjectId', 'studioProjectName', 'studioSnapshotId', 'studioDefinitionSha256', 'envVarIds', 'llmConnectionId', 'namespace', 'isolated', 'manifests', 'appliedObjects', 'status', 'message', 'retryable', 'rollbackOfVersion', 'deployedByUserId', 'deployedByServiceAccountId', 'createdAt', 'finishedAt', 'ingestTokenHash'],
  studioDefinitionSnapshots: ['id', 'organizationId', 'studioProjectId', 'projectName', 'document', 'sha256', 'createdAt'],
  featureFlags: ['name', 'enabledGlobally', 'updatedAt'],
  featureFlagOrganizations: ['name', 'organizationId'],
  instanceAdmins: ['userId', 'createdAt'],
  organizationNamespaces: ['organizationId', 'namespace', 'mode', 'readyAt', 'updatedAt', 'provisioningUntil'],
  executions: ['id', 'organizationId', 'automationId', 'deploymentId', 'inputs', 'status', 'error', 'startedByUserId', 'startedByServiceAccountId', 'createdAt', 'finishedAt', 'spanCount', 'inputTokens', 'outputTokens', 'updatedAt', 'errorSpanCount'],
  executionCounts: ['organizationId', 'automationId', 'queued', 'running', 'succeeded', 'failed'],
  spans: ['id', 'organizationId', 'executionId', 'sourceId', 'traceId', 'spanId', 'parentSpanId', 'traceState', 'flags', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'statusCode', 'statusMessage', 'attributes', 'droppedAttributesCount', 'events', 'droppedEventsCount', 'links', 'droppedLinksCount'],
  spanSources: ['id', 'organizationId', 'digest', 'resource', 'scope', 'createdAt'],
  auditLog: ['id', 'organizationId', 'actorUserId', 'actorServiceAccountId', 'actorName', 'action', 'targetType', 'targetId', 'before', 'after', 'requestId', 'createdAt', 'chainSeq', 'prevHash', 'hash'],
  hitlRequests: ['id', 'organizationId', 'automationId', 'deploymentId', 'executionId', 'question', 'context', 'callbackPath', 'status', 'answer', 'answeredByUserId', 'answeredByServiceAccountId', 'answeredAt', 'forwardStatus', 'forwardError', 'forwardAttempts', 'forwardAttemptedAt', 'createdAt', 'expiresAt'],
  trustedDocuments: ['sha256', 'document', 'operationName', 'clientName', 'createdAt'],
  webhooks: ['id', 'organizationId', 'url', 'description', 'eventTypes', 'secretCiphertext', 'registeredByUserId', 'registeredByServiceAccountId', 'scopeAutomationIds', 'scopePermissions', 'disabledAt', 'disabledReason', 'consecutiveFailures', 'failingSince', 'createdAt', 'updatedAt'],
  webhookDeliveries: ['id', 'webhookId', 'organizationId', 'eventType', 'eventKey', 'automationId', 'payload', 'status', 'attemptCount', 'nextAttemptAt', 'retryWindowStartedAt', 'lockedUntil', 'leaseToken', 'lastStatusCode', 'lastError', 'deliveredAt', 'createdAt'],
  webhookAttempts: ['id', 'deliveryId', 'attemptNumber', 'succeeded', 'statusCode', 'error', 'responseBody', 'durationMs', 'createdAt'],
} as const satisfies { [T in keyof Database]: readonly (keyof Database[T])[] };

// Fails the typecheck when the interface has a column the list above does not.
type Unlisted = { [T in keyof Database]: Exclude<keyof Database[T], (typeof COLUMNS)[T][number]> }[keyof Database];
const everyColumnListed: [Unlisted] extends [never] ? true : never = true;

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

describe('the Database interface matches the migrations', () => {
  it('has the same tables and columns as the migrated database', async () => {
    expect(everyColumnListed).toBe(true);
    const rows = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and table_name not like 'kysely_%'`.execute(database.db.withoutPlugins());
    const actual: Record<string, string[]> = {};
    for (const row of rows.rows) (actual[camel(row.table_name)] ??= []).push(camel(row.column_name));
    const expected = Object.fromEntries(Object.entries(COLUMNS).map(([table, columns]) => [table, [...columns].sort()]));
    expect(Object.fromEntries(Object.entries(actual).map(([table, columns]) => [table, columns.sort()]))).toEqual(expected);
  });

  it('lists every migration file in migrations/index.ts, in name order', () => {
    const files = fs.readdirSync(path.join(ROOT_DIR, 'migrations')).filter((f) => /^\d{4}_.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, '')).sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});
