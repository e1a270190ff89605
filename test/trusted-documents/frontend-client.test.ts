import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@urql/core';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/modules/trusted-documents/document-hash.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';
import { createServerStore, killServerProcesses, startServerProcess, type ServerProcess, type ServerStore } from '../support/server-process.js';
import {
  frontendClient,
  generateFrontend,
  registerWithCli,
  reportSpans,
  seedScreens,
  type Generated,
  type HashedDocument,
  type ScreenData,
  type SentRequest,
} from './frontend-fixtures.js';

// Issue 12, item 3: the real frontend toolchain against the built gateway. @graphql-codegen's
// client preset generates the screens' operations (test/fixtures/frontend) into a temporary
// directory, `gatehouse documents register` registers its persisted-documents.json as written,
// and urql's persistedExchange runs every operation by hash alone, by POST and by GET, under
// TRUSTED_DOCUMENTS=enforce. Nothing generated is committed: each run checks the current tools.

const SCREENS = ['PeopleAndRoles', 'Automations', 'AutomationRuns', 'RunSpans'];
const MUTATIONS = ['RunAutomation', 'CreateEnvVar'];

let outDir: string;
let store: ServerStore;
let runtime: RuntimeStub;
let generated: Generated;
let seeded: ScreenData;
let server: ServerProcess;

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-frontend-gql-'));
  generated = await generateFrontend(outDir);
  store = await createServerStore();
  seeded = await seedScreens(store.env);
  // Before the server starts: PGlite allows one process on the data directory.
  const registered = await registerWithCli(store.env, [generated.manifestFile, '--client', 'web']);
  expect(registered.stderr).toBe('');
  expect(registered.code).toBe(0);
  expect(registered.stdout).toBe(
    `Registered ${SCREENS.length + MUTATIONS.length} documents for client web: ${SCREENS.length + MUTATIONS.length} new, 0 already registered.\n`,
  );
  runtime = await startRuntimeStub();
  server = await startServerProcess({ ...store.env, TRUSTED_DOCUMENTS: 'enforce', RUNNER_URL_TEMPLATE: runtime.urlTemplate });
  await reportSpans(server.url, seeded.ingestToken, seeded.executionId);
}, 180_000);

afterAll(async () => {
  killServerProcesses();
  await runtime?.close();
  await store?.close();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

function documentNamed(name: string): HashedDocument {
  const document = generated.documents.get(name);
  if (!document) throw new Error(`codegen generated no ${name}Document; the operations are in test/fixtures/frontend/operations`);
  return document;
}

/** The variables each screen sends, from the seeded data. */
function variablesOf(name: string): Record<string, unknown> {
  const variables: Record<string, Record<string, unknown>> = {
    PeopleAndRoles: { organizationId: seeded.organizationId },
    Automations: { organizationId: seeded.organizationId },
    AutomationRuns: { organizationId: seeded.organizationId, automationId: seeded.automationId },
    RunSpans: { organizationId: seeded.organizationId, executionId: seeded.executionId },
    RunAutomation: { automationId: seeded.automationId, inputs: { invoice: 'INV-8' } },
    CreateEnvVar: { organizationId: seeded.organizationId, input: { name: `VENDOR_API_KEY_${Date.now()}`, value: 'secret-value' } },
  };
  return variables[name] ?? {};
}

/** What each screen must show of the seeded data. */
function expectedData(name: string): Record<string, unknown> {
  const something = expect.anything();
  const expected: Record<string, Record<string, unknown>> = {
    PeopleAndRoles: {
      organization: {
        name: 'Frontend screens',
        viewerPermissions: { isOwner: true },
        members: {
          totalCount: 2,
          edges: expect.arrayContaining([
            expect.objectContaining({
              node: expect.objectContaining({ user: expect.objectContaining({ name: seeded.ownerName }), role: expect.objectContaining({ kind: 'OWNER' }) }),
            }),
            expect.objectContaining({
              node: expect.objectContaining({
                user: expect.objectContaining({ email: seeded.memberEmail }),
                role: expect.objectContaining({ kind: 'MEMBER' }),
              }),
            }),
          ]),
        },
        roles: expect.arrayContaining([
          expect.objectContaining({ kind: 'OWNER', features: expect.arrayContaining([something]) }),
          expect.objectContaining({ kind: 'MEMBER' }),
        ]),
      },
    },
    Automations: {
      organization: {
        automations: {
          totalCount: 1,
          edges: [
            {
              cursor: something,
              node: expect.objectContaining({
                id: seeded.automationId,
                latestDeployment: expect.objectContaining({ version: 1, status: 'DEPLOYED' }),
                executions: { totalCount: 1 },
              }),
            },
          ],
        },
      },
    },
    AutomationRuns: {
      organization: {
        automation: expect.objectContaining({
          executions: expect.objectContaining({
            totalCount: 1,
            edges: [
              {
                cursor: something,
                node: expect.objectContaining({
                  id: seeded.executionId,
                  status: 'RUNNING',
                  deployment: { id: something, version: 1 },
                  startedBy: expect.objectContaining({ principalType: 'USER', displayName: seeded.ownerName }),
                }),
              },
            ],
          }),
        }),
      },
    },
    RunSpans: {
      organization: {
        execution: expect.objectContaining({
          id: seeded.executionId,
          inputs: { invoice: 'INV-7' },
          spans: expect.objectContaining({
            totalCount: 3,
            edges: [
              {
                cursor: something,
                node: expect.objectContaining({
                  name: 'crew kickoff',
                  parentSpanId: null,
                  events: [expect.objectContaining({ name: 'started', attributes: { detail: 'started' } })],
                }),
              },
              {
                cursor: something,
                node: expect.objectContaining({
                  name: 'llm call',
                  inputTokens: 120,
                  outputTokens: 40,
                  events: [expect.objectContaining({ name: 'prompt sent' })],
                }),
              },
              {
                cursor: something,
                node: expect.objectContaining({ name: 'tool call', attributes: expect.objectContaining({ 'tool.name': 'lookup_vendor' }), events: [] }),
              },
            ],
          }),
        }),
      },
    },
  };
  return expected[name] ?? {};
}

/** The request carried the document's hash alone (APQ extension, `sha256:` as generated), never its text. */
function expectHashOnly(request: SentRequest | undefined, method: string, hash: string): void {
  expect(request?.method).toBe(method);
  if (method === 'GET') {
    expect(request?.url.searchParams.has('query')).toBe(false);
    expect(JSON.parse(request?.url.searchParams.get('extensions') ?? '{}')).toEqual({ persistedQuery: { version: 1, sha256Hash: hash } });
  } else {
    expect(request?.body).toMatchObject({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(request?.body).not.toHaveProperty('query');
  }
}

describe('what the client preset writes', () => {
  it('one persisted document per operation, keyed "sha256:<hex>" of its text, the hash embedded in each document', () => {
    expect(Object.keys(generated.manifest)).toHaveLength(SCREENS.length + MUTATIONS.length);
    for (const [key, text] of Object.entries(generated.manifest)) {
      expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(typeof text === 'string' ? `sha256:${sha256Hex(text)}` : text).toBe(key);
    }
    expect(new Set([...generated.documents.keys()])).toEqual(new Set([...SCREENS, ...MUTATIONS]));
    for (const document of generated.documents.values()) expect(generated.manifest).toHaveProperty([document.__meta__.hash]);
  });
});

describe.each(['POST', 'GET'] as const)('urql, queries by %s, TRUSTED_DOCUMENTS=enforce', (method) => {
  let client: Client;
  const sent: SentRequest[] = [];
  beforeAll(() => {
    client = frontendClient(server.url, seeded.ownerToken, method, sent);
  });

  it.each(SCREENS)("%s: the screen's data, no errors, sent by hash alone", async (name) => {
    const document = documentNamed(name);
    const result = await client.query<Record<string, unknown>>(document, variablesOf(name)).toPromise();
    expect(result.error?.graphQLErrors ?? [], result.error?.message).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.data).toMatchObject(expectedData(name));
    expectHashOnly(sent.at(-1), method, document.__meta__.hash);
  });

  it('a document that was never registered is refused, TRUSTED_DOCUMENT_NOT_FOUND', async () => {
    const text = 'query NotShipped { viewer { user { id email } } }';
    const document: HashedDocument = { ...parse(text), __meta__: { hash: `sha256:${sha256Hex(print(parse(text)))}` } };
    const result = await client.query<Record<string, unknown>>(document, {}).toPromise();
    expect(result.data).toBeUndefined();
    expect(result.error?.graphQLErrors.map((error) => error.extensions.code)).toEqual(['TRUSTED_DOCUMENT_NOT_FOUND']);
    expectHashOnly(sent.at(-1), method, document.__meta__.hash);
  });
});

// Last: they change what the screens above read. urql sends mutations by POST whatever the
// query method (persistedExchange prefers GET for queries only).
describe('urql, mutations by hash', () => {
  it.each(MUTATIONS)('%s: runs, data and no errors', async (name) => {
    const sent: SentRequest[] = [];
    const client = frontendClient(server.url, seeded.ownerToken, 'GET', sent);
    const document = documentNamed(name);
    const result = await client.mutation<Record<string, unknown>>(document, variablesOf(name)).toPromise();
    expect(result.error?.graphQLErrors ?? [], result.error?.message).toEqual([]);
    expect(result.error).toBeUndefined();
    if (name === 'RunAutomation') {
      expect(result.data).toMatchObject({ runAutomation: { status: 'RUNNING', automation: { id: seeded.automationId }, deployment: { version: 1 } } });
      expect(runtime.kickoffs.map((kickoff) => kickoff.inputs)).toContainEqual({ invoice: 'INV-8' });
    } else {
      expect(result.data).toMatchObject({ createEnvVar: { id: expect.any(String), accessRestricted: false } });
    }
    expectHashOnly(sent.at(-1), 'POST', document.__meta__.hash);
  });
});
