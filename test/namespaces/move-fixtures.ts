import { pino } from 'pino';
import { migrateNamespaces } from '../../src/cli/namespaces-commands.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { K8S_NAMESPACE_ISOLATION_FLAG, setFlag } from '../../src/modules/feature-flags/feature-flags.repository.js';
import { grantInstanceAdmin } from '../../src/authz/instance-admins.repository.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { SHARED_NAMESPACE, type ClusterEnv } from '../support/k8s-setup.js';

// Fixtures of the namespace-move tests (README "Running on Kubernetes", moving automations).

export interface SharedOrg extends OrgFixture {
  repo: string;
  /** `{K8S_NAMESPACE}-org-{id}`, where the organization deploys once isolation is on. */
  namespace: string;
  automationIds: string[];
}

/** An organization whose `count` automations were deployed into the shared namespace, then isolation turned on; its Owner is an instance administrator. */
export async function isolatedAfterDeploys(env: ClusterEnv, count: number): Promise<SharedOrg> {
  const org = await createOrg(env.gw);
  await grantInstanceAdmin(env.gw.db, org.owner.userId ?? '');
  const repo = await connectRepo(env.gw, org.owner.token, org.organizationId);
  const automationIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const { deployment, automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, repo);
    if (deployment.status !== 'DEPLOYED' || deployment.namespace !== SHARED_NAMESPACE) throw new Error(`setup: ${JSON.stringify(deployment)}`);
    automationIds.push(automationId);
  }
  await setFlag(env.gw.db, K8S_NAMESPACE_ISOLATION_FLAG, true, org.organizationId);
  return { ...org, repo, namespace: `${SHARED_NAMESPACE}-org-${org.organizationId}`, automationIds };
}

/** Which of the automation's Secret, Deployment and Service the stand-in holds in `namespace`. */
export function objectsIn(env: ClusterEnv, namespace: string, automationId: string): [boolean, boolean, boolean] {
  const { secrets, deployments, services } = env.stub.objects;
  return [
    secrets.has(`${namespace}/automation-${automationId}-env`),
    deployments.has(`${namespace}/automation-${automationId}`),
    services.has(`${namespace}/automation-${automationId}`),
  ];
}

export const ALL = [true, true, true];
export const NONE = [false, false, false];

export const VIEW = `query($o: ID!) { organization(id: $o) { namespace { namespace isolated automationsOutsideNamespace { automationId name namespace version } } } }`;

export interface Outside {
  automationId: string;
  name: string;
  namespace: string;
  version: number;
}

/** The admin view's list of automations outside the organization's namespace. */
export async function outside(env: ClusterEnv, org: SharedOrg): Promise<Outside[]> {
  const data = await expectAllowed<{ organization: { namespace: { automationsOutsideNamespace: Outside[] } } }>(env.gw, org.owner.token, VIEW, {
    o: String(org.organizationId),
  });
  return data.organization.namespace.automationsOutsideNamespace;
}

/** `gatehouse namespaces migrate --org ID` in process, against the stand-in; returns the summary and the progress lines. */
export async function migrate(env: ClusterEnv, organizationId: number) {
  const lines: string[] = [];
  const deps = { db: env.gw.db, secrets: new SecretBox(env.gw.secretKey), config: env.gw.config, logger: pino({ level: 'silent' }), cluster: env.cluster };
  const summary = await migrateNamespaces(deps, organizationId, (line) => lines.push(line));
  return { summary, lines };
}

export const REDEPLOY = 'mutation($id: ID!) { redeployAutomation(id: $id) { status version namespace message retryable } }';
