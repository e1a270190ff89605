import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { addMember, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §2 `environment_variables` (MANAGE / NO_ACCESS) and §3 "Secrets at field level": an env
// var's value is readable only by principals who may manage it, and is encrypted at rest.
const CREATE = `mutation($org: ID!, $name: String!, $value: String!) {
  createEnvVar(organizationId: $org, input: { name: $name, value: $value }) { id name value accessRestricted }
}`;
const UPDATE = 'mutation($id: ID!, $value: String!) { updateEnvVar(id: $id, input: { value: $value }) { id value } }';
const DELETE = 'mutation($id: ID!) { deleteEnvVar(id: $id) }';
const LIST = 'query($org: ID!) { organization(id: $org) { envVars(first: 100) { totalCount edges { node { id name value } } } } }';

interface Created {
  createEnvVar: { id: string; name: string; value: string; accessRestricted: boolean };
}
interface Listed {
  organization: { envVars: { totalCount: number; edges: { node: { id: string; name: string; value: string } }[] } };
}

let gw: TestGateway;
let org: OrgFixture;
let manager: Actor;
let noAccess: Actor;
let varId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  manager = await addMember(gw, org.organizationId, org.memberRoleId);
  noAccess = await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { environment_variables: 'NO_ACCESS', tools: 'READ' }));
  const created = await expectAllowed<Created>(gw, org.owner.token, CREATE, {
    org: String(org.organizationId),
    name: 'DATABASE_URL',
    value: 'postgres://s3cret@db/app',
  });
  varId = created.createEnvVar.id;
});
afterAll(async () => gw.close());

describe('env var values are readable only by managers', () => {
  it('a member with environment_variables MANAGE reads the value in the list', async () => {
    const data = await expectAllowed<Listed>(gw, manager.token, LIST, { org: String(org.organizationId) });
    expect(data.organization.envVars.edges.map((e) => e.node)).toContainEqual({ id: varId, name: 'DATABASE_URL', value: 'postgres://s3cret@db/app' });
  });

  it('a role with environment_variables NO_ACCESS does not see the list (not in its schema) and gets no value', async () => {
    const response = await expectHidden(gw, noAccess.token, LIST, { org: String(org.organizationId) }, 'envVars');
    expect(response.raw).not.toContain('s3cret');
  });

  it('a role with environment_variables NO_ACCESS does not see create, update and delete (not in its schema), and nothing changes', async () => {
    await expectHidden(gw, noAccess.token, CREATE, { org: String(org.organizationId), name: 'X', value: 'y' }, 'createEnvVar');
    const update = await expectHidden(gw, noAccess.token, UPDATE, { id: varId, value: 'hijacked' }, 'updateEnvVar');
    expect(update.raw).not.toContain('s3cret');
    await expectHidden(gw, noAccess.token, DELETE, { id: varId }, 'deleteEnvVar');
    expect(await gw.db.selectFrom('envVars').select('id').where('organizationId', '=', org.organizationId).where('name', '=', 'X').execute()).toEqual([]);
    const data = await expectAllowed<Listed>(gw, manager.token, LIST, { org: String(org.organizationId) });
    expect(data.organization.envVars.edges.find((e) => e.node.id === varId)?.node.value).toBe('postgres://s3cret@db/app');
  });

  it('a manager updates the value and reads the new one', async () => {
    const data = await expectAllowed<{ updateEnvVar: { value: string } }>(gw, manager.token, UPDATE, { id: varId, value: 'postgres://s3cret@db/app' });
    expect(data.updateEnvVar.value).toBe('postgres://s3cret@db/app');
  });
});

describe('env var input is validated before anything is written', () => {
  it.each([['1STARTS_WITH_DIGIT'], ['has-dash'], ['has space'], ['a'.repeat(129)], ['']])('name %j is BAD_USER_INPUT', async (name) => {
    await expectDenied(gw, manager.token, CREATE, { org: String(org.organizationId), name, value: 'v' }, 'BAD_USER_INPUT');
  });

  it('a value up to 32 KiB is accepted and one byte more is BAD_USER_INPUT', async () => {
    const limit = 32 * 1024;
    await expectAllowed(gw, manager.token, CREATE, { org: String(org.organizationId), name: 'AT_LIMIT', value: 'x'.repeat(limit) });
    const response = await expectDenied(
      gw,
      manager.token,
      CREATE,
      { org: String(org.organizationId), name: 'OVER_LIMIT', value: 'x'.repeat(limit + 1) },
      'BAD_USER_INPUT',
    );
    expect(response.errors[0]?.message).toContain('32 KiB');
    await expectDenied(gw, manager.token, UPDATE, { id: varId, value: 'é'.repeat(limit / 2 + 1) }, 'BAD_USER_INPUT');
  });

  it('a second env var with the same name is CONFLICT', async () => {
    await expectDenied(gw, manager.token, CREATE, { org: String(org.organizationId), name: 'DATABASE_URL', value: 'other' }, 'CONFLICT');
  });
});

describe('env var values are encrypted at rest', () => {
  it('the stored row does not contain the value, and the ciphertext is bound to its row', async () => {
    const value = 'plain-marker-7f3a9c';
    const created = await expectAllowed<Created>(gw, manager.token, CREATE, { org: String(org.organizationId), name: 'MARKER', value });
    const { rows } = await sql<{
      row: string;
      valueCiphertext: Uint8Array;
    }>`select e::text as row, value_ciphertext from env_vars e where id = ${created.createEnvVar.id}`.execute(gw.db);
    const stored = rows[0];
    if (!stored) throw new Error('env var row missing');
    expect(stored.row).not.toContain(value);
    expect(Buffer.from(stored.valueCiphertext).indexOf(Buffer.from(value))).toBe(-1);
    const box = new SecretBox(gw.secretKey);
    expect(box.open(Buffer.from(stored.valueCiphertext), `env_vars.value:${org.organizationId}:${created.createEnvVar.id}`)).toBe(value);
    expect(() => box.open(Buffer.from(stored.valueCiphertext), `env_vars.value:${org.organizationId}:${varId}`)).toThrow();
  });
});
