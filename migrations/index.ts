import type { Migration } from 'kysely';
import * as organizationsUsers from './2026_11_23_100000_organizations_users.js';
import * as rolesMemberships from './2026_11_23_100100_roles_memberships.js';
import * as resources from './2026_11_23_100200_resources.js';
import * as builderResources from './2026_11_23_100300_builder_resources.js';
import * as automations from './2026_11_23_110000_automations.js';
import * as ingestTokens from './2026_11_23_120000_ingest_tokens.js';
import * as executions from './2026_11_23_120100_executions.js';
import * as hitl from './2026_11_23_120200_hitl.js';
import * as auditLog from './2026_11_23_120300_audit_log.js';
import * as trustedDocuments from './2026_11_23_130000_trusted_documents.js';
import * as wholeSpans from './2026_11_30_100000_whole_spans.js';
import * as tokenScopes from './2026_11_30_110000_token_scopes.js';
import * as executionUpdates from './2026_11_30_120000_execution_updates.js';
import * as webhooks from './2026_12_01_100000_webhooks.js';
import * as gitCredentialsStudioSources from './2026_12_08_130000_git_credentials_studio_sources.js';
import * as deployRaces from './2026_12_09_100000_deploy_races.js';
import * as auditChain from './2026_12_10_100000_audit_chain.js';
import * as emailVerified from './2026_12_11_100000_email_verified.js';
import * as archiveRetention from './2026_12_12_100000_archive_retention.js';
import * as executionCounts from './2026_12_13_140000_execution_counts.js';
import * as grantIndexes from './2026_12_14_100000_grant_indexes.js';
import * as grantSummaries from './2026_12_15_100000_grant_summaries.js';

/**
 * Every migration by name; the name order is the run order. Listed statically (not read from the
 * folder) so that the same list runs under tsx, vitest and the compiled build.
 */
export const migrations: Record<string, Migration> = {
  '2026_11_23_100000_organizations_users': organizationsUsers,
  '2026_11_23_100100_roles_memberships': rolesMemberships,
  '2026_11_23_100200_resources': resources,
  '2026_11_23_100300_builder_resources': builderResources,
  '2026_11_23_110000_automations': automations,
  '2026_11_23_120000_ingest_tokens': ingestTokens,
  '2026_11_23_120100_executions': executions,
  '2026_11_23_120200_hitl': hitl,
  '2026_11_23_120300_audit_log': auditLog,
  '2026_11_23_130000_trusted_documents': trustedDocuments,
  '2026_11_30_100000_whole_spans': wholeSpans,
  '2026_11_30_110000_token_scopes': tokenScopes,
  '2026_11_30_120000_execution_updates': executionUpdates,
  '2026_12_01_100000_webhooks': webhooks,
  '2026_12_08_130000_git_credentials_studio_sources': gitCredentialsStudioSources,
  '2026_12_09_100000_deploy_races': deployRaces,
  '2026_12_10_100000_audit_chain': auditChain,
  '2026_12_11_100000_email_verified': emailVerified,
  '2026_12_12_100000_archive_retention': archiveRetention,
  '2026_12_13_140000_execution_counts': executionCounts,
  '2026_12_14_100000_grant_indexes': grantIndexes,
  '2026_12_15_100000_grant_summaries': grantSummaries,
};
