import crypto from 'node:crypto';
import { expectAllowed } from './expect.js';
import type { TestGateway } from './harness.js';

export const DEPLOY = `mutation($org: ID!, $input: DeployAutomationInput!) {
  deployAutomation(organizationId: $org, input: $input) {
    id version status message retryable namespace isolated sourceType gitRepoFullName gitRef archiveSha256
    appliedObjects { kind namespace name resourceVersion } manifests
  }
}`;

export interface DeploymentResult {
  id: string;
  version: number;
  status: string;
  message: string | null;
  retryable: boolean;
  namespace: string;
  isolated: boolean;
  appliedObjects: Array<{ kind: string; namespace: string; name: string; resourceVersion: string | null }>;
  manifests: Array<Record<string, unknown>>;
}

let n = 0;

/** A connected Git repository of the organization, through the API. */
export async function connectRepo(gw: TestGateway, token: string, organizationId: number, fullName = `acme/repo-${++n}`): Promise<string> {
  const data = await expectAllowed<{ connectGitRepo: { id: string } }>(
    gw,
    token,
    'mutation($org: ID!, $name: String!) { connectGitRepo(organizationId: $org, input: { fullName: $name }) { id } }',
    { org: String(organizationId), name: fullName },
  );
  return data.connectGitRepo.id;
}

/** An uploaded zip archive, stored as the upload endpoint stores it. */
export async function storeArchive(gw: TestGateway, organizationId: number): Promise<{ id: string; sha256: string }> {
  const content = Buffer.concat([Buffer.from('PK\x03\x04'), crypto.randomBytes(64)]);
  const sha256 = crypto.createHash('sha256').update(content).digest('hex');
  const row = await gw.db
    .insertInto('automationArchives')
    .values({ organizationId, sha256, sizeBytes: content.length, content, uploadedByUserId: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, sha256 };
}

/** Deploys a new automation from a Git repository; returns the deployment and the automation id. */
export async function deployNew(
  gw: TestGateway,
  token: string,
  organizationId: number,
  repoId: string,
  extra: Record<string, unknown> = {},
): Promise<{ deployment: DeploymentResult; automationId: string }> {
  const data = await expectAllowed<{ deployAutomation: DeploymentResult }>(gw, token, DEPLOY, {
    org: String(organizationId),
    input: { name: `automation-${++n}`, source: { gitRepoId: repoId, ref: 'main' }, ...extra },
  });
  const row = await gw.db.selectFrom('automationDeployments').select('automationId').where('id', '=', data.deployAutomation.id).executeTakeFirstOrThrow();
  return { deployment: data.deployAutomation, automationId: row.automationId };
}
