import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a pod made to the gateway, and what the gateway answered. */
export interface IngestCall {
  method: string;
  path: string;
  authorization: string | undefined;
  status: number;
  contentType: string | undefined;
  etag: string | undefined;
}

/**
 * What a cluster's network does for a deployed automation, on 127.0.0.1, for tests with real
 * runtime processes and no pods:
 * - `ingestBaseUrl` stands for the gateway's Service (INGEST_BASE_URL): it forwards to the
 *   gateway, whose port is known only once it runs, and records each call;
 * - `runnerUrlTemplate` and `hitlForwardUrlTemplate` stand for the automation's Service: a request
 *   to `/{namespace}/{automationId}/…` goes to the pod (runner process) registered for it, with the
 *   prefix taken off, as the Service sends `/kickoff` and `/hitl/{id}` to port 8080 of its pod.
 */
export interface PodNetwork {
  ingestBaseUrl: string;
  runnerUrlTemplate: string;
  hitlForwardUrlTemplate: string;
  ingestCalls: IngestCall[];
  /** Where INGEST_BASE_URL leads: the gateway's origin. */
  setGateway(origin: string): void;
  /** The Service's endpoint: the runner listening on `port` serves this automation. */
  addPod(namespace: string, automationId: string, port: number): void;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sends `req` on to `target` and its answer back; `seen` gets the answer's status and headers. */
async function forward(req: http.IncomingMessage, res: http.ServerResponse, target: URL, seen?: (answer: http.IncomingMessage) => void): Promise<void> {
  const body = await readBody(req);
  await new Promise<void>((resolve) => {
    const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      seen?.(answer);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', resolve);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
      resolve();
    });
    upstream.end(body);
  });
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

export async function startPodNetwork(): Promise<PodNetwork> {
  const ingestCalls: IngestCall[] = [];
  const pods = new Map<string, number>();
  let gateway = 'http://127.0.0.1:1';

  const ingest = await listen((req, res) => {
    const path = req.url ?? '/';
    void forward(req, res, new URL(path, gateway), (answer) => {
      ingestCalls.push({
        method: req.method ?? '',
        path,
        authorization: header(req.headers.authorization),
        status: answer.statusCode ?? 0,
        contentType: header(answer.headers['content-type']),
        etag: header(answer.headers.etag),
      });
    });
  });

  const service = await listen((req, res) => {
    const match = /^\/([^/]+)\/([^/]+)(\/.*)$/.exec(req.url ?? '');
    const port = match ? pods.get(`${decodeURIComponent(match[1] ?? '')}/${decodeURIComponent(match[2] ?? '')}`) : undefined;
    if (!match || port === undefined) {
      // A Service without a ready endpoint refuses the connection; a 503 says the same here.
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(`no ready pod for ${req.url ?? ''}`);
      return;
    }
    void forward(req, res, new URL(match[3] ?? '/', `http://127.0.0.1:${port}`));
  });

  return {
    ingestBaseUrl: ingest.origin,
    runnerUrlTemplate: `${service.origin}/{namespace}/{automationId}/kickoff`,
    hitlForwardUrlTemplate: `${service.origin}/{namespace}/{automationId}/hitl/{requestId}`,
    ingestCalls,
    setGateway(origin) {
      gateway = origin;
    },
    addPod(namespace, automationId, port) {
      pods.set(`${namespace}/${automationId}`, port);
    },
    async close() {
      for (const { server } of [ingest, service]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
