import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A kickoff as the automation's runtime received it. */
export interface Kickoff {
  path: string;
  executionId: string;
  inputs: Record<string, unknown>;
  requestId: string | undefined;
}

/** How the runtime answers: a status (after an optional delay), or dropping the connection. */
export type Answer = { status: number; body?: string; delayMs?: number } | { drop: true };

export interface RuntimeStub {
  /** RUNNER_URL_TEMPLATE for the gateway: this server, the namespace and automation in the path. */
  urlTemplate: string;
  kickoffs: Kickoff[];
  /** Answers every following kickoff so (default 202). */
  answer(answer: Answer): void;
  /** Runs after a kickoff is recorded and before it is answered: a runtime that reports spans. */
  onKickoff(work: ((kickoff: Kickoff) => Promise<void>) | null): void;
  close(): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An automation runtime stood in by a local HTTP server on 127.0.0.1 (what the Service would reach). */
export async function startRuntimeStub(): Promise<RuntimeStub> {
  const kickoffs: Kickoff[] = [];
  let answer: Answer = { status: 202 };
  let work: ((kickoff: Kickoff) => Promise<void>) | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
        const header = req.headers['x-request-id'];
        const kickoff: Kickoff = {
          path: req.url ?? '',
          executionId: isRecord(parsed) && typeof parsed.executionId === 'string' ? parsed.executionId : '',
          inputs: isRecord(parsed) && isRecord(parsed.inputs) ? parsed.inputs : {},
          requestId: typeof header === 'string' ? header : undefined,
        };
        kickoffs.push(kickoff);
        if (work) await work(kickoff);
        const current = answer;
        if ('drop' in current) {
          req.socket.destroy();
          return;
        }
        if (current.delayMs) await new Promise((resolve) => setTimeout(resolve, current.delayMs));
        if (res.destroyed) return;
        res.writeHead(current.status, { 'content-type': 'text/plain' });
        res.end(current.body ?? '');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlTemplate: `http://127.0.0.1:${port}/{namespace}/{automationId}/kickoff`,
    kickoffs,
    answer(next) {
      answer = next;
    },
    onKickoff(next) {
      work = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
