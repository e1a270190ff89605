import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY, deployNew, type DeploymentResult } from '../support/automation-fixtures.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { isolatedAfterDeploys, migrate, REDEPLOY } from '../namespaces/move-fixtures.js';

// Issue 14 §1: no database connection or transaction is held across a Kubernetes call, anywhere.
// Proved from outside, for every operation that calls Kubernetes: the stand-in holds one of its
// calls unanswered, and meanwhile PostgreSQL shows no backend of the test database idle in a
// transaction or waiting on a lock. Then the call times out (K8S_REQUEST_TIMEOUT_MS) and the
// operation answers as it always has: a failure worth retrying that names the namespace.
// pg_stat_activity is PostgreSQL's; PGlite has one connection and nothing to look at.

// Long enough for the test to see the held call and look at pg_stat_activity, even on a busy machine.
const REQUEST_TIMEOUT_MS = 1500;
const DELETE = 'mutation($id: ID!) { deleteAutomation(id: $id) { deletedAt } }';
const STATUS = 'query($o: ID!) { organization(id: $o) { namespace { ready message } } }';

interface Outcome {
  failed: boolean;
  retryable: boolean;
  message: string;
}

interface Operation {
  /** The organization's namespace, which the held call concerns and the failure must name. */
  namespace: string;
  /** Starts the operation; resolves with its answer once the held call timed out. */
  run: () => Promise<Outcome>;
}

interface Row {
  operation: string;
  /** The call the stand-in holds, in the organization's namespace `ns`. */
  held: (ns: string) => { method: string; path: RegExp };
  /** Sets up what the operation needs (an organization, earlier deploys), without starting it. */
  prepare: () => Promise<Operation>;
}

let env: ClusterEnv;
let admin: pg.Client;
let datname: string;

const deployed = (deployment: DeploymentResult | null | undefined): Outcome => ({
  failed: deployment?.status === 'FAILED',
  retryable: deployment?.retryable === true,
  message: deployment?.message ?? '',
});

async function firstDeploy(): Promise<Operation> {
  const org = await isolatedOrg(env.gw);
  const variables = { org: String(org.organizationId), input: { name: 'first', source: { gitRepoId: org.repo } } };
  return {
    namespace: org.namespace,
    run: async () => deployed((await env.gw.gql<{ deployAutomation: DeploymentResult }>(org.owner.token, DEPLOY, variables)).data?.deployAutomation),
  };
}

async function redeploy(): Promise<Operation> {
  const org = await isolatedOrg(env.gw);
  const { automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
  return {
    namespace: org.namespace,
    run: async () =>
      deployed((await env.gw.gql<{ redeployAutomation: DeploymentResult }>(org.owner.token, REDEPLOY, { id: automationId })).data?.redeployAutomation),
  };
}

async function deleteAutomation(): Promise<Operation> {
  const org = await isolatedOrg(env.gw);
  const { automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
  return {
    namespace: org.namespace,
    run: async () => {
      const response = await env.gw.gql<{ deleteAutomation: { deletedAt: string | null } | null }>(org.owner.token, DELETE, { id: automationId });
      const error = response.errors[0];
      // The delete is reported as it was: DEPENDENCY_FAILED, "delete again", nothing marked deleted.
      return {
        failed: response.data?.deleteAutomation === null && error !== undefined,
        retryable: error?.extensions?.code === 'DEPENDENCY_FAILED' && error.message.includes('delete again'),
        message: error?.message ?? '',
      };
    },
  };
}

async function namespaceStatus(): Promise<Operation> {
  const org = await isolatedOrg(env.gw);
  await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
  return {
    namespace: org.namespace,
    run: async () => {
      const response = await env.gw.gql<{ organization: { namespace: { ready: boolean; message: string | null } } }>(org.owner.token, STATUS, {
        o: String(org.organizationId),
      });
      const status = response.data?.organization.namespace;
      return { failed: status?.ready === false, retryable: /retry/.test(status?.message ?? ''), message: status?.message ?? '' };
    },
  };
}

async function migrateCli(): Promise<Operation> {
  const org = await isolatedAfterDeploys(env, 1);
  return {
    namespace: org.namespace,
    run: async () => {
      const { summary } = await migrate(env, org.organizationId);
      const moved = summary.automations[0];
      const latest = await env.gw.db
        .selectFrom('automationDeployments')
        .select('retryable')
        .where('automationId', '=', moved?.automationId ?? '')
        .orderBy('version', 'desc')
        .executeTakeFirst();
      return { failed: moved?.status === 'FAILED', retryable: latest?.retryable === true, message: moved?.message ?? '' };
    },
  };
}

const escape = (ns: string) => ns.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const core = (ns: string, rest: string) => new RegExp(`^/api/v1/namespaces/${escape(ns)}/${rest}`);
const apps = (ns: string, rest: string) => new RegExp(`^/apis/apps/v1/namespaces/${escape(ns)}/${rest}`);

// Every operation that calls Kubernetes, with the call held.
const ROWS: Row[] = [
  { operation: 'first deploy of an isolated organization', held: () => ({ method: 'POST', path: /^\/api\/v1\/namespaces$/ }), prepare: firstDeploy },
  { operation: 'redeploy: the Secret write', held: (ns) => ({ method: 'POST', path: core(ns, 'secrets$') }), prepare: redeploy },
  { operation: 'redeploy: the Deployment write', held: (ns) => ({ method: 'POST', path: apps(ns, 'deployments$') }), prepare: redeploy },
  { operation: 'redeploy: the Service write', held: (ns) => ({ method: 'POST', path: core(ns, 'services$') }), prepare: redeploy },
  { operation: 'deleteAutomation: the Service delete', held: (ns) => ({ method: 'DELETE', path: core(ns, 'services/') }), prepare: deleteAutomation },
  { operation: 'deleteAutomation: the Deployment delete', held: (ns) => ({ method: 'DELETE', path: apps(ns, 'deployments/') }), prepare: deleteAutomation },
  { operation: 'deleteAutomation: the Secret delete', held: (ns) => ({ method: 'DELETE', path: core(ns, 'secrets/') }), prepare: deleteAutomation },
  {
    operation: 'Organization.namespace: the status read',
    held: (ns) => ({ method: 'GET', path: new RegExp(`^/api/v1/namespaces/${escape(ns)}$`) }),
    prepare: namespaceStatus,
  },
  { operation: 'gatehouse namespaces migrate: the namespace create', held: () => ({ method: 'POST', path: /^\/api\/v1\/namespaces$/ }), prepare: migrateCli },
];

async function heldCall(from: number, held: { method: string; path: RegExp }): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (env.stub.calls.slice(from).some((call) => call.status === 0 && call.method === held.method && held.path.test(call.path))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `the stand-in never received ${held.method} ${String(held.path)}: ${JSON.stringify(env.stub.calls.slice(from).map((c) => `${c.method} ${c.path} ${c.status}`))}`,
  );
}

/** Backends of the test database that hold a transaction open or wait for a lock, this client aside. */
async function holdingBackends(): Promise<Array<Record<string, unknown>>> {
  const { rows } = await admin.query<Record<string, unknown>>(
    `select pid, state, wait_event_type, wait_event, left(query, 160) as query from pg_stat_activity
      where datname = $1 and pid <> pg_backend_pid() and (state like 'idle in transaction%' or wait_event_type = 'Lock')`,
    [datname],
  );
  return rows;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('no transaction is held across a Kubernetes call (issue 14 §1)', () => {
  beforeAll(async () => {
    env = await startClusterEnv('automatic', { K8S_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
    const url = env.gw.database.url ?? '';
    datname = decodeURIComponent(new URL(url).pathname.slice(1));
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await env?.close();
  });

  it.each(ROWS.map((row) => [row.operation, row] as const))(
    '%s',
    async (_operation, row) => {
      const operation = await row.prepare();
      const held = row.held(operation.namespace);
      const from = env.stub.calls.length;
      env.stub.failNext({ ...held, hang: true });
      const answer = operation.run();
      await heldCall(from, held);
      const holding = await holdingBackends();
      // Awaited before asserting, so that a held transaction ends here and not in the next row.
      const outcome = await answer;
      expect(holding).toEqual([]);
      expect(outcome).toMatchObject({ failed: true, retryable: true });
      expect(outcome.message).toContain(`"${operation.namespace}"`);
      expect(outcome.message).toContain('no answer');
    },
    30_000,
  );
});
