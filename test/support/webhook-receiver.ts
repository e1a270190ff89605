import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The status it was answered with (0: left hanging or dropped). */
  status: number;
  /** When it arrived (Date.now()). */
  at: number;
}

/** How the receiver answers one request: a status after an optional delay, or never. */
export type ReceiverAnswer = { status: number; delayMs?: number; body?: string } | { hang: true };

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT/<path> */
  url(path?: string): string;
  received: Received[];
  /** Answers the next requests in this order, then `otherwise` (default 204). */
  answerNext(...answers: ReceiverAnswer[]): void;
  answerOtherwise(answer: ReceiverAnswer): void;
  /** Resolves once `count` requests (in total) have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A partner's endpoint stood in by a local HTTP server on 127.0.0.1 (tests allow private targets). */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const queue: ReceiverAnswer[] = [];
  let otherwise: ReceiverAnswer = { status: 204 };
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = queue.shift() ?? otherwise;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
      const entry: Received = {
        path: req.url ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 'hang' in answer ? 0 : answer.status,
        at: Date.now(),
      };
      received.push(entry);
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
      if ('hang' in answer) return;
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain' });
        res.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/hooks') => `http://127.0.0.1:${port}${path}`,
    received,
    answerNext: (...answers) => void queue.push(...answers),
    answerOtherwise: (answer) => {
      otherwise = answer;
    },
    waitFor(count, timeoutMs = 20_000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the receiver got ${received.length} of ${count} requests within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
