import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectAllowed } from './expect.js';
import { deployNew } from './automation-fixtures.js';
import type { OrgFixture } from './fixtures.js';
import type { TestGateway } from './harness.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from './k8s-setup.js';

/** What the automation's stand-in received: one answer forward. */
export interface Received {
  path: string;
  body: unknown;
}

/**
 * A local HTTP server standing in for deployed automations: it records every forwarded answer and
 * answers 200, or what `respond` says next: a status; 'hang' never answers (the timeout);
 * 'reset' drops the connection (an automation that is gone).
 */
export interface AutomationStandIn {
  port: number;
  received: Received[];
  respond(...next: Array<number | 'hang' | 'reset'>): void;
  close(): Promise<void>;
}

export async function startAutomationStandIn(): Promise<AutomationStandIn> {
  const received: Received[] = [];
  const queue: Array<number | 'hang' | 'reset'> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', body: text ? JSON.parse(text) : null });
      const next = queue.shift() ?? 200;
      if (next === 'hang') return;
      if (next === 'reset') return void req.socket.destroy();
      res.writeHead(next, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    respond: (...next) => queue.push(...next),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface HitlEnv {
  env: ClusterEnv;
  gw: TestGateway;
  standIn: AutomationStandIn;
  org: OrgFixture & { repo: string; namespace: string };
  close(): Promise<void>;
}

/**
 * The gateway on the Kubernetes stand-in, with answers forwarded to the automation stand-in:
 * `/{namespace}/{automationId}/hitl/{requestId}` on 127.0.0.1.
 */
export async function startHitlEnv(env: Record<string, string> = {}): Promise<HitlEnv> {
  const standIn = await startAutomationStandIn();
  const cluster = await startClusterEnv('automatic', {
    HITL_FORWARD_URL_TEMPLATE: `http://127.0.0.1:${standIn.port}/{namespace}/{automationId}/hitl/{requestId}`,
    HITL_FORWARD_TIMEOUT_MS: '1000',
    ...env,
  });
  const org = await isolatedOrg(cluster.gw);
  return {
    env: cluster,
    gw: cluster.gw,
    standIn,
    org,
    close: async () => {
      await cluster.close();
      await standIn.close();
    },
  };
}

/** The ingest token the deploy put into the automation's Secret, as its pods would read it. */
export function ingestTokenOf(env: ClusterEnv, namespace: string, automationId: string): string {
  const secret: unknown = env.stub.objects.secrets.get(`${namespace}/automation-${automationId}-env`);
  const data = typeof secret === 'object' && secret !== null && 'data' in secret ? secret.data : undefined;
  const encoded = typeof data === 'object' && data !== null && 'GATEHOUSE_INGEST_TOKEN' in data ? data.GATEHOUSE_INGEST_TOKEN : undefined;
  if (typeof encoded !== 'string') throw new Error(`no GATEHOUSE_INGEST_TOKEN in the Secret of automation ${automationId}`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** Deploys a new automation through the API; returns its id and the ingest token its pods get. */
export async function deployAutomation(h: HitlEnv, extra: Record<string, unknown> = {}): Promise<{ automationId: string; token: string }> {
  const { automationId } = await deployNew(h.gw, h.org.owner.token, h.org.organizationId, h.org.repo, extra);
  return { automationId, token: ingestTokenOf(h.env, h.org.namespace, automationId) };
}

export interface IngestResponse {
  status: number;
  body: Record<string, unknown>;
}

/** POST /v1/hitl-requests as the automation does. */
export async function raise(gw: TestGateway, token: string | undefined, body: unknown, contentType = 'application/json'): Promise<IngestResponse> {
  const response = await fetch(new URL('/v1/hitl-requests', gw.url), {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Raises a request and returns its id, asserting the 201. */
export async function raiseOk(gw: TestGateway, token: string, body: Record<string, unknown> = { question: 'Approve the refund?' }): Promise<string> {
  const response = await raise(gw, token, body);
  if (response.status !== 201 || typeof response.body.id !== 'string') throw new Error(`raise failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id;
}

export const REQUEST_FIELDS =
  'id status question context executionId expiresAt answer answeredAt answeredBy { principalType principalId displayName } forwardStatus forwardError forwardAttempts lastForwardAttemptAt automation { id }';

export interface HitlRequestResult {
  id: string;
  status: string;
  question: string;
  context: Record<string, unknown>;
  executionId: string | null;
  answer: Record<string, unknown> | null;
  answeredAt: string | null;
  answeredBy: { principalType: string; principalId: string; displayName: string } | null;
  forwardStatus: string | null;
  forwardError: string | null;
  forwardAttempts: number;
  automation: { id: string };
}

export const ANSWER = `mutation($id: ID!, $answer: JSONObject!) { answerHitlRequest(id: $id, answer: $answer) { ${REQUEST_FIELDS} } }`;
export const RETRY = `mutation($id: ID!) { retryHitlForward(id: $id) { ${REQUEST_FIELDS} } }`;
export const PENDING = `query($org: ID!) { organization(id: $org) { pendingHitlRequests(first: 100) { totalCount edges { node { id question } } } } }`;
export const OF_AUTOMATION = `query($org: ID!, $id: ID!, $status: HitlRequestStatus) { organization(id: $org) { automation(id: $id) {
  hitlRequests(status: $status, first: 100) { totalCount edges { node { ${REQUEST_FIELDS} } } } } } }`;

export async function answerOk(gw: TestGateway, token: string, id: string, answer: Record<string, unknown>): Promise<HitlRequestResult> {
  return (await expectAllowed<{ answerHitlRequest: HitlRequestResult }>(gw, token, ANSWER, { id, answer })).answerHitlRequest;
}
