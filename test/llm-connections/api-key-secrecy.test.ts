import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box.js';
import type { GqlResponse } from '../support/harness.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { addMember, createOrg, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §3 "Secrets at field level": an LLM connection's API key is write-only — the API returns
// at most a masked hint — and secret values are encrypted at rest.
const KEY = 'sk-live-Q7vX2pLm9RtZ-4f1c8e0b';
const NEW_KEY = 'sk-live-rotated-Hh3Kd8Wq-77aa';
const FIELDS = 'id name provider baseUrl defaultModel apiKeyHint accessRestricted accessList { principalId } createdAt updatedAt';
const CREATE = `mutation($org: ID!, $input: CreateLLMConnectionInput!) { createLLMConnection(organizationId: $org, input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateLLMConnectionInput!) { updateLLMConnection(id: $id, input: $input) { ${FIELDS} } }`;
const LIST = `query($org: ID!) { organization(id: $org) { llmConnections { totalCount edges { cursor node { ${FIELDS} } } } } }`;

let gw: TestGateway;
let org: OrgFixture;
let manager: Actor;
let connectionId: string;
const bodies: string[] = [];

async function record<T>(response: Promise<GqlResponse<T>>): Promise<GqlResponse<T>> {
  const settled = await response;
  bodies.push(settled.raw);
  return settled;
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  manager = await addMember(gw, org.organizationId, org.memberRoleId);
});
afterAll(async () => gw.close());

describe('the API key never leaves the gateway', () => {
  it('create returns the masked hint of the last four characters and no key', async () => {
    const input = { name: 'OpenAI prod', provider: 'OPENAI', apiKey: KEY, baseUrl: 'https://api.openai.com/v1', defaultModel: 'gpt-4o' };
    const response = await record(
      gw.gql<{ createLLMConnection: { id: string; apiKeyHint: string } }>(manager.token, CREATE, { org: String(org.organizationId), input }),
    );
    expect(response.errors).toEqual([]);
    connectionId = response.data?.createLLMConnection.id ?? '';
    expect(response.data?.createLLMConnection.apiKeyHint).toBe('••••8e0b');
  });

  it('every read, update and failed write answers without the key', async () => {
    await record(gw.gql(manager.token, LIST, { org: String(org.organizationId) }));
    await record(gw.gql(org.owner.token, LIST, { org: String(org.organizationId) }));
    const rotated = await record(
      gw.gql<{ updateLLMConnection: { apiKeyHint: string } }>(manager.token, UPDATE, { id: connectionId, input: { apiKey: NEW_KEY } }),
    );
    expect(rotated.data?.updateLLMConnection.apiKeyHint).toBe('••••77aa');
    await record(gw.gql(manager.token, UPDATE, { id: connectionId, input: { name: 'renamed' } }));
    // Failures echo nothing of the input: a duplicate name, an invalid URL, a bad id.
    const duplicate = { name: 'RENAMED', provider: 'OPENAI', apiKey: KEY };
    expect((await record(gw.gql(manager.token, CREATE, { org: String(org.organizationId), input: duplicate }))).errors[0]?.extensions?.code).toBe('CONFLICT');
    const badUrl = { name: 'bad', provider: 'OTHER', apiKey: KEY, baseUrl: `ftp://${KEY}@example.com` };
    expect((await record(gw.gql(manager.token, CREATE, { org: String(org.organizationId), input: badUrl }))).errors[0]?.extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
    await record(gw.gql(manager.token, UPDATE, { id: 'nope', input: { apiKey: NEW_KEY } }));
    // And there is no field to ask for it.
    const asked = await record(
      gw.gql(manager.token, `query($org: ID!) { organization(id: $org) { llmConnections { edges { node { apiKey } } } } }`, {
        org: String(org.organizationId),
      }),
    );
    expect(asked.errors.length).toBeGreaterThan(0);

    expect(bodies.length).toBeGreaterThanOrEqual(9);
    for (const body of bodies) {
      expect(body).not.toContain(KEY);
      expect(body).not.toContain(NEW_KEY);
      expect(body).not.toContain(KEY.slice(0, -4));
    }
  });

  it('a key shorter than 8 characters has a hint without any of its characters', async () => {
    const data = await expectAllowed<{ createLLMConnection: { apiKeyHint: string } }>(gw, manager.token, CREATE, {
      org: String(org.organizationId),
      input: { name: 'local', provider: 'OLLAMA', apiKey: 'abc1234', baseUrl: 'http://localhost:11434' },
    });
    expect(data.createLLMConnection.apiKeyHint).toBe('••••');
  });
});

describe('the API key is encrypted at rest', () => {
  it('no column of the stored row holds the key’s bytes; the ciphertext opens only in its own row', async () => {
    const { rows } = await sql<{
      row: string;
      apiKeyCiphertext: Uint8Array;
    }>`select c::text as row, api_key_ciphertext from llm_connections c where id = ${connectionId}`.execute(gw.db);
    const stored = rows[0];
    if (!stored) throw new Error('connection row missing');
    for (const key of [KEY, NEW_KEY]) {
      expect(stored.row).not.toContain(key);
      expect(Buffer.from(stored.apiKeyCiphertext).indexOf(Buffer.from(key, 'utf8'))).toBe(-1);
    }
    const box = new SecretBox(gw.secretKey);
    expect(box.open(Buffer.from(stored.apiKeyCiphertext), `llm_connections.api_key:${org.organizationId}:${connectionId}`)).toBe(NEW_KEY);
    expect(() => box.open(Buffer.from(stored.apiKeyCiphertext), `llm_connections.api_key:${org.organizationId + 1}:${connectionId}`)).toThrow();
  });
});

describe('connection input is validated', () => {
  it.each([['ftp://example.com'], ['javascript:alert(1)'], ['not a url'], ['https://user:pw@example.com']])('baseUrl %j is BAD_USER_INPUT', async (baseUrl) => {
    await expectDenied(
      gw,
      manager.token,
      CREATE,
      { org: String(org.organizationId), input: { name: `n-${baseUrl.length}`, provider: 'OTHER', apiKey: 'k-123456789', baseUrl } },
      'BAD_USER_INPUT',
    );
  });

  it('an empty API key is BAD_USER_INPUT', async () => {
    await expectDenied(
      gw,
      manager.token,
      CREATE,
      { org: String(org.organizationId), input: { name: 'empty', provider: 'OTHER', apiKey: '  ' } },
      'BAD_USER_INPUT',
    );
  });

  it('baseUrl null clears it', async () => {
    const data = await expectAllowed<{ updateLLMConnection: { baseUrl: string | null } }>(gw, manager.token, UPDATE, {
      id: connectionId,
      input: { baseUrl: null },
    });
    expect(data.updateLLMConnection.baseUrl).toBeNull();
  });
});
