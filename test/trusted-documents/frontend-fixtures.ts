import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { Kind, type DocumentNode } from 'graphql';
import { generateIngestToken } from '../../src/crypto/opaque-token.js';
import { openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { issueApiToken } from '../../src/modules/api-tokens/issue-token.js';
import { insertAutomation } from '../../src/modules/automations/automations.repository.js';
import { insertDeployment } from '../../src/modules/deployments/deployments.repository.js';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { insertMembership } from '../../src/modules/members/members.repository.js';
import { createOrganization } from '../../src/modules/organizations/create-organization.js';
import { findRoleByKind } from '../../src/modules/roles/roles.repository.js';
import { findOrCreateUserByEmail } from '../../src/modules/users/users.repository.js';
import { ROOT_DIR } from '../../src/paths.js';
import { frontendCodegenConfig } from '../fixtures/frontend/codegen.js';
import { hex, otlpRequest, otlpSpan } from '../support/execution-fixtures.js';

/** A document as the client preset generates it with persisted documents on: its hash in `__meta__`. */
export type HashedDocument = DocumentNode & { __meta__: { hash: string } };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isHashedDocument(value: unknown): value is HashedDocument {
  return (
    isRecord(value) && value.kind === Kind.DOCUMENT && Array.isArray(value.definitions) && isRecord(value.__meta__) && typeof value.__meta__.hash === 'string'
  );
}

/** The hash the client preset embedded in a document; what urql's docs pass to persistedExchange's generateHash. */
export function metaHash(document: unknown): string | undefined {
  return isHashedDocument(document) ? document.__meta__.hash : undefined;
}

export interface Generated {
  /** persisted-documents.json as the preset wrote it. */
  manifestFile: string;
  manifest: Record<string, unknown>;
  /** The generated `…Document` exports by operation name (`PeopleAndRoles`, …). */
  documents: Map<string, HashedDocument>;
}

/** Runs the client preset (test/fixtures/frontend/codegen.ts) into `dir` and loads what it wrote. */
export async function generateFrontend(dir: string): Promise<Generated> {
  await generate(frontendCodegenConfig(dir), true);
  const manifestFile = path.join(dir, 'persisted-documents.json');
  const manifest: unknown = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  if (!isRecord(manifest)) throw new Error(`${manifestFile} is not a JSON object`);
  // graphql.ts is TypeScript: vitest transforms it on import, as a bundler would in the frontend.
  const generated: unknown = await import(pathToFileURL(path.join(dir, 'graphql.ts')).href);
  if (!isRecord(generated)) throw new Error(`${dir}/graphql.ts exports nothing`);
  const documents = new Map<string, HashedDocument>();
  for (const [name, value] of Object.entries(generated)) {
    if (name.endsWith('FragmentDoc') || !isHashedDocument(value)) continue;
    const operation = value.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    if (operation?.kind === Kind.OPERATION_DEFINITION && operation.name) documents.set(operation.name.value, value);
  }
  return { manifestFile, manifest, documents };
}

/** `gatehouse documents register …` as built, on the store's database; its exit code and output. */
export async function registerWithCli(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = path.join(ROOT_DIR, 'dist/src/cli/main.js');
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'documents', 'register', ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = isRecord(error) ? error : {};
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: String(failed.stdout ?? ''), stderr: String(failed.stderr ?? '') };
  }
}

/** What the screens read: an organization with two members, one deployed automation and one run of it. */
export interface ScreenData {
  organizationId: string;
  ownerToken: string;
  ownerName: string;
  memberEmail: string;
  automationId: string;
  executionId: string;
  /** The deployment's token for /v1/traces, as its pod would read it from its Secret. */
  ingestToken: string;
}

/**
 * Seeds the screens' data straight through the repositories, before any server opens the store
 * (PGlite allows one process): the registered documents would refuse the API's own seeding
 * mutations, which is the point of enforce mode.
 */
export async function seedScreens(env: Record<string, string>): Promise<ScreenData> {
  const handle = openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL, poolMax: 2 } : { dataDir: env.DATA_DIR ?? '' });
  try {
    const { db } = handle;
    await migrateToLatest(db);
    const owner = await findOrCreateUserByEmail(db, 'ada@example.com', 'Ada Owner');
    const organization = await createOrganization(db, 'Frontend screens', owner.id);
    const member = await findOrCreateUserByEmail(db, 'grace@example.com', 'Grace Member');
    await insertMembership(db, { organizationId: organization.id, userId: member.id, roleId: (await findRoleByKind(db, organization.id, 'MEMBER')).id });
    const { secret } = await issueApiToken(db, organization.id, { userId: owner.id }, 'web');
    const automation = await insertAutomation(db, {
      organizationId: organization.id,
      name: 'invoice-triage',
      description: 'Sorts incoming invoices',
      createdByUserId: owner.id,
    });
    const ingest = generateIngestToken();
    const deployment = await insertDeployment(db, {
      organizationId: organization.id,
      automationId: automation.id,
      version: 1,
      sourceType: 'GIT',
      gitRepoId: null,
      gitRepoFullName: 'acme/invoice-triage',
      gitRef: 'main',
      archiveId: null,
      archiveSha256: null,
      llmConnectionId: null,
      namespace: 'gatehouse',
      isolated: false,
      manifests: '[]',
      status: 'DEPLOYED',
      rollbackOfVersion: null,
      deployedByUserId: owner.id,
      deployedByServiceAccountId: null,
      ingestTokenHash: ingest.hash,
    });
    const execution = await insertExecution(db, {
      organizationId: organization.id,
      automationId: automation.id,
      deploymentId: deployment.id,
      inputs: '{"invoice":"INV-7"}',
      status: 'RUNNING',
      startedByUserId: owner.id,
      startedByServiceAccountId: null,
    });
    return {
      organizationId: String(organization.id),
      ownerToken: secret,
      ownerName: owner.name,
      memberEmail: member.email,
      automationId: automation.id,
      executionId: execution.id,
      ingestToken: ingest.token,
    };
  } finally {
    await handle.close();
  }
}

/** The run's trace as its runtime exports it over OTLP/JSON: a root span and two children, with events. */
export async function reportSpans(graphqlUrl: string, ingestToken: string, executionId: string): Promise<void> {
  const traceId = hex(16);
  const rootId = hex(8);
  const start = Date.now() - 10_000;
  const event = (name: string, at: number) => ({
    timeUnixNano: `${BigInt(at) * 1_000_000n}`,
    name,
    attributes: [{ key: 'detail', value: { stringValue: name } }],
  });
  const spans = [
    { ...otlpSpan({ executionId, traceId, spanId: rootId, name: 'crew kickoff', start, durationMs: 900 }), events: [event('started', start)] },
    {
      ...otlpSpan({
        executionId,
        traceId,
        parentSpanId: rootId,
        name: 'llm call',
        start: start + 100,
        durationMs: 300,
        attributes: { 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 40 },
      }),
      events: [event('prompt sent', start + 100)],
    },
    otlpSpan({
      executionId,
      traceId,
      parentSpanId: rootId,
      name: 'tool call',
      start: start + 500,
      durationMs: 200,
      attributes: { 'tool.name': 'lookup_vendor' },
    }),
  ];
  const response = await fetch(new URL('/v1/traces', graphqlUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestToken}` },
    body: JSON.stringify(otlpRequest(spans)),
  });
  if (response.status !== 200) throw new Error(`OTLP ingest answered ${response.status}: ${await response.text()}`);
}

/** One HTTP request the client made, as it left. */
export interface SentRequest {
  method: string;
  url: URL;
  /** The parsed JSON body of a POST; undefined for a GET. */
  body: unknown;
}

/**
 * The frontend's urql client, set up as urql's docs say for trusted documents generated by the
 * client preset: persistedExchange sends only the embedded hash (no automatic fallback to the
 * text, mutations included), then fetchExchange, with the user's token on every request.
 * `method` picks how queries travel: GET (persistedExchange's preferGetForPersistedQueries) or
 * POST. Every request is recorded in `sent`.
 */
export function frontendClient(url: string, token: string, method: 'GET' | 'POST', sent: SentRequest[]): Client {
  const recordingFetch: typeof fetch = (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    sent.push({ method: init?.method ?? 'GET', url: new URL(href), body });
    return fetch(input, init);
  };
  return new Client({
    url,
    fetch: recordingFetch,
    preferGetMethod: method === 'GET',
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    exchanges: [
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        preferGetForPersistedQueries: method === 'GET',
        generateHash: (_query, document) => Promise.resolve(metaHash(document)),
      }),
      fetchExchange,
    ],
  });
}
