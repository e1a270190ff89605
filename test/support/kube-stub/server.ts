import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FailureQueue } from './failures.js';
import { isObject, objectAt, parseJson, stringAt } from './json.js';
import type { Rbac } from './rbac.js';
import { requestInfo } from './request-info.js';
import { route } from './router.js';
import { injected, internalError, KubeError, unauthorized } from './status.js';
import type { Store } from './store.js';
import type { RecordedCall, Reply } from './types.js';

/** The HTTP side: body reading, call recording, injected failures, bearer-token authentication. */

export interface ServerState {
  store: Store;
  rbac: Rbac;
  failures: FailureQueue;
  calls: RecordedCall[];
  token: string;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, record: RecordedCall, reply: Reply): void {
  record.status = reply.code;
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(reply.code, { 'Content-Type': 'application/json', 'Audit-Id': randomUUID(), 'Cache-Control': 'no-cache, private' });
  res.end(JSON.stringify(reply.body));
}

/** metadata.name of a JSON body or answer, if any. */
function bodyName(value: unknown): string | null {
  const parsed = typeof value === 'string' ? parseJson(value) : { ok: true as const, value };
  return parsed.ok && isObject(parsed.value) ? (stringAt(objectAt(parsed.value, 'metadata'), 'name') ?? null) : null;
}

function authenticated(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  return header === `Bearer ${token}`;
}

export async function listen(state: ServerState): Promise<RunningServer> {
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://kube-stub');
    const info = requestInfo(method, url.pathname, url.searchParams);
    const record: RecordedCall = {
      method,
      path: url.pathname,
      status: 0,
      verb: info.verb,
      resource: info.resource,
      namespace: info.namespace || null,
      // A create's URL has no name; like an audit log's objectRef, take it from the object.
      name: info.name || (info.verb === 'create' ? bodyName(body) : null),
    };
    state.calls.push(record);
    const latency = state.failures.latency?.(method, url.pathname) ?? 0;
    if (latency > 0) await sleep(latency);
    const planned = state.failures.take(method, url.pathname);
    if (planned?.hang) {
      // Unanswered until releaseHung() (a 504, as from an API server that gave up) or close(),
      // which destroys the socket.
      state.failures.hung.push(() => {
        if (!closed && !res.writableEnded) send(res, record, { code: 504, body: injected(504) });
      });
      return;
    }
    if (planned && planned.delayMs > 0) await sleep(planned.delayMs);
    if (closed) return;
    if (planned && planned.status !== null) {
      send(res, record, { code: planned.status, body: injected(planned.status) });
      return;
    }
    let reply: Reply;
    try {
      if (!authenticated(req, state.token)) throw unauthorized();
      reply = route(state.store, state.rbac, {
        method,
        info,
        query: url.searchParams,
        body,
        contentType: req.headers['content-type'],
        host: req.headers.host ?? '',
      });
    } catch (error) {
      const status = error instanceof KubeError ? error.status : internalError(error instanceof Error ? (error.stack ?? error.message) : String(error)).status;
      reply = { code: status.code, body: status };
    }
    if (record.name === null && info.verb === 'create' && reply.code === 201) record.name = bodyName(reply.body); // generateName
    send(res, record, reply);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(internalError(String(error)).status));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('kube-stub: the server has no TCP address');
  const { port } = address;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      closed = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
