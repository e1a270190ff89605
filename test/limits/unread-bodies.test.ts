import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lingerOnUnreadBody } from '../../src/http/unread-body.js';
import { ARCHIVE_UPLOAD_PATH } from '../../src/http/upload-archive.js';
import { HITL_BODY_MAX_BYTES, HITL_REQUESTS_PATH } from '../../src/ingest/hitl-requests.js';
import { deployNew } from '../support/automation-fixtures.js';
import { ingestTokenOf } from '../support/execution-fixtures.js';
import { createOrg } from '../support/fixtures.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { createServerStore, killServerProcesses, runCli, startServerProcess, type ServerProcess, type ServerStore } from '../support/server-process.js';

// A refusal sent before the request's body is read (too large, rate limited) must reach the
// client. Closing the connection at once, with the client still sending, resets it: the client
// (here Node's fetch, undici) then fails with EPIPE or ECONNRESET and never reads the answer, and
// an OpenTelemetry exporter takes that for a network error and retries the same batch. The gateway
// reads and throws away the rest of such a body (for a bounded time) so that the answer arrives.
const MiB = 1024 * 1024;
const SENT = 8 * MiB;
let env: ClusterEnv;
let ingestToken: string;

beforeAll(async () => {
  env = await startClusterEnv('automatic', {
    MAX_BODY_BYTES: String(MiB),
    ZIP_MAX_BYTES: String(MiB),
    OTLP_MAX_BYTES: String(MiB),
    UPLOAD_RATE_LIMIT_PER_TOKEN: '1',
  });
  const org = await isolatedOrg(env.gw);
  ingestToken = ingestTokenOf(env, org.namespace, (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId);
}, 60_000);
afterAll(async () => env?.close());

/** `bytes` of filler, sent with Content-Length or as a chunked stream of 64 KiB chunks. */
function bodyOf(bytes: number, framing: 'declared' | 'chunked'): { body: Buffer | ReadableStream<Uint8Array>; duplex?: 'half' } {
  const filler = Buffer.alloc(bytes, 'x');
  if (framing === 'declared') return { body: filler };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(filler.subarray(sent, sent + 64 * 1024));
      sent += 64 * 1024;
    },
  });
  return { body: stream, duplex: 'half' };
}

interface Target {
  path: string;
  headers: Record<string, string>;
}

interface Refusal {
  name: string;
  target: () => Promise<Target>;
  framing: 'declared' | 'chunked';
  status: number;
  code: string;
}

const graphql = async (): Promise<Target> => ({ path: '/graphql', headers: { 'content-type': 'application/json' } });
/** An organization of its own for each upload: the token's one upload of the window (UPLOAD_RATE_LIMIT_PER_TOKEN) is the case's. */
const upload = async (): Promise<Target> => {
  const org = await createOrg(env.gw);
  return {
    path: `${ARCHIVE_UPLOAD_PATH}?organizationId=${org.organizationId}`,
    headers: { authorization: `Bearer ${org.owner.token}`, 'content-type': 'application/zip' },
  };
};
const traces = async (): Promise<Target> => ({
  path: '/v1/traces',
  headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/x-protobuf' },
});
const hitl = async (): Promise<Target> => ({
  path: HITL_REQUESTS_PATH,
  headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
});

const REFUSALS: Refusal[] = [
  { name: '/graphql over MAX_BODY_BYTES, declared', target: graphql, framing: 'declared', status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: '/graphql over MAX_BODY_BYTES, chunked', target: graphql, framing: 'chunked', status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'an upload over ZIP_MAX_BYTES, declared', target: upload, framing: 'declared', status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'an upload over ZIP_MAX_BYTES, chunked', target: upload, framing: 'chunked', status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'a trace export over OTLP_MAX_BYTES, declared', target: traces, framing: 'declared', status: 413, code: 'OTLP_MAX_BYTES' },
  { name: 'a trace export over OTLP_MAX_BYTES, chunked', target: traces, framing: 'chunked', status: 413, code: 'OTLP_MAX_BYTES' },
  {
    name: `a human-in-the-loop request over ${HITL_BODY_MAX_BYTES} bytes, declared`,
    target: hitl,
    framing: 'declared',
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  { name: `a human-in-the-loop request over ${HITL_BODY_MAX_BYTES} bytes, chunked`, target: hitl, framing: 'chunked', status: 413, code: 'PAYLOAD_TOO_LARGE' },
];

/** The answer's status and text; a request that got no answer (EPIPE, ECONNRESET) is status 0 with the reason. */
async function send(base: string, path: string, headers: Record<string, string>, bytes: number, framing: 'declared' | 'chunked') {
  try {
    const response = await fetch(new URL(path, base), { method: 'POST', headers, ...bodyOf(bytes, framing) });
    return { status: response.status, text: Buffer.from(await response.arrayBuffer()).toString('latin1') };
  } catch (error) {
    return { status: 0, text: `no answer: ${String(error instanceof Error ? (error.cause ?? error) : error)}` };
  }
}

describe('a refusal sent before the body is read', () => {
  it.each(REFUSALS)('reaches the client: $name', async ({ target, framing, status, code }) => {
    const { path, headers } = await target();
    const answer = await send(env.gw.url, path, headers, SENT, framing);
    expect(answer.status, answer.text).toBe(status);
    expect(answer.text).toContain(code);
  });
});

// The race is lost when the server is busy elsewhere and the client is busy sending: a server in
// a process of its own (as operators run it) and many uploads at once, the red team's 30 of 20 MiB.
describe('refusals of many uploads at once, from the built server', () => {
  let store: ServerStore;
  let server: ServerProcess;
  let uploader: { organizationId: number; token: string };

  beforeAll(async () => {
    store = await createServerStore();
    uploader = await runCli(store.env, ['org', 'create', '--name', 'Unread bodies', '--owner-email', 'unread@example.com']);
    server = await startServerProcess({ ...store.env, UPLOAD_RATE_LIMIT_PER_TOKEN: '1' });
  }, 60_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    killServerProcesses();
    await store?.close();
  });

  it('answer every one: one is received, the others are refused by the rate limit', async () => {
    const path = `${ARCHIVE_UPLOAD_PATH}?organizationId=${uploader.organizationId}`;
    const headers = { authorization: `Bearer ${uploader.token}`, 'content-type': 'application/zip' };
    const answers = await Promise.all(Array.from({ length: 30 }, () => send(server.url, path, headers, 20 * MiB - 1024, 'declared')));
    const statuses = answers.map((answer) => (answer.status === 0 ? answer.text : answer.status));
    expect(statuses.filter((status) => typeof status === 'string')).toEqual([]);
    // The one upload of the window is filler, not a zip: refused as such once read.
    expect(statuses.filter((status) => status === 400)).toHaveLength(1);
    expect(statuses.filter((status) => status === 429)).toHaveLength(29);
  }, 60_000);
});

// What the rest of an unread body may cost is bounded: a client that never finishes sending loses
// its connection after the linger; one that finishes keeps it for its next request.
describe('the rest of an unread body', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      lingerOnUnreadBody(req, res, 300);
      res.writeHead(413, { 'content-type': 'text/plain', 'content-length': '7' }).end('refused');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise((resolve) => server.close(resolve)));

  /** A raw connection that declares `declared` bytes and sends `sent` of them; resolves with what it received once closed, or after `ms`. */
  function rawPost(declared: number, sent: number, then = ''): { received: Promise<string>; closed: Promise<boolean> } {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.write(`POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${declared}\r\n\r\n${'x'.repeat(sent)}${then}`);
    const closed = new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 5_000);
    });
    return { received: closed.then(() => text), closed };
  }

  it('is thrown away until the linger ends, then the connection is closed', async () => {
    const { received, closed } = rawPost(1_000_000, 10);
    expect(await closed).toBe(true);
    expect(await received).toContain('413');
  });

  it('once in, leaves the connection to the next request', async () => {
    const next = 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n';
    const { received } = rawPost(50_000, 50_000, next);
    expect((await received).match(/HTTP\/1.1 413/g)).toHaveLength(2);
  });
});
