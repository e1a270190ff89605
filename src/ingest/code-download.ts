import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { deploymentCode } from '../modules/deployments/deployment-code.js';
import { findDeploymentsByIds } from '../modules/deployments/deployments.repository.js';
import type { DeploymentRow } from '../modules/deployments/deployments.table.js';
import { authenticateIngest } from './authenticate-ingest.js';

export const CODE_PATH = '/v1/code';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** RFC 9110 §13.1.2: `*`, or a list of entity tags compared weakly (a `W/` prefix is ignored). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/** Why there is nothing to download, and where the runtime finds its code instead. */
function noCode(deployment: DeploymentRow): string {
  switch (deployment.sourceType) {
    case 'GIT':
      return 'This deployment\'s code is in Git, not stored by the gateway: clone GATEHOUSE_SOURCE_REPOSITORY_URL at GATEHOUSE_SOURCE_REF with the read credential in the Secret (README "Runner contract").';
    case 'STUDIO':
      // The snapshot row is referenced by the deployment; only a database restored without it gets here.
      return `The Studio definition of this deployment (version ${deployment.version}) is missing from the gateway's database; deploy the Studio project again.`;
    default:
      return `The code of this deployment (version ${deployment.version}) is no longer stored by the gateway; redeploy the automation from a new upload.`;
  }
}

/**
 * `GET /v1/code` (and HEAD): the code of the deployment whose ingest token authenticates the
 * request (GATEHOUSE_CODE_URL, GATEHOUSE_INGEST_TOKEN in its Secret), as stored: for a zip source
 * the archive's bytes, validated at upload. The token decides the deployment, so a runtime can
 * only ever fetch its own code. `ETag` is the SHA-256 the runtime verifies before running it.
 */
export async function handleCodeDownload(req: IncomingMessage, res: ServerResponse, db: Db, logger: Logger): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(
      res,
      405,
      { error: 'METHOD_NOT_ALLOWED', message: `GET ${CODE_PATH} with the deployment's ingest token to download its code.` },
      { allow: 'GET, HEAD' },
    );
  }
  const source = await authenticateIngest(db, req.headers.authorization);
  if (!source) {
    return send(
      res,
      401,
      {
        error: 'UNAUTHENTICATED',
        message: 'Send "Authorization: Bearer <GATEHOUSE_INGEST_TOKEN>" with the ingest token of a deployment of a live automation.',
      },
      { 'www-authenticate': 'Bearer' },
    );
  }
  const [deployment] = await findDeploymentsByIds(db, [source.deploymentId]);
  if (!deployment) throw new Error(`Ingest token of deployment ${source.deploymentId} authenticated, but the deployment row is gone`);
  const code = await deploymentCode(db, deployment);
  const kind = deployment.sourceType.toLowerCase();
  if (!code) return send(res, 404, { error: 'NOT_FOUND', message: noCode(deployment), source: kind }, { 'x-gatehouse-source': kind });

  const etag = `"${code.sha256}"`;
  // Authenticated and per deployment: a client may keep it, but must ask again (If-None-Match).
  const headers = { etag, 'cache-control': 'private, no-cache', 'x-gatehouse-source': code.source };
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'content-type': code.contentType, 'content-length': String(code.body.length) });
  if (req.method === 'HEAD') return void res.end();
  // The stored bytes as they are, never re-encoded: the runtime checks them against the SHA-256.
  res.end(code.body);
  logger.info(
    { automationId: source.automationId, deploymentId: source.deploymentId, source: code.source, bytes: code.body.length },
    'deployment code downloaded',
  );
}
