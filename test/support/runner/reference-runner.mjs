// The reference runner: an automation runtime that needs nothing but its environment, which the
// kubelet builds from the automation's Secret (envFrom) and its Deployment's env (README "Runner
// contract"). It proves that contract end to end in test/runner/*.test.ts.
//
//   node reference-runner.mjs
//
// At start it fetches and verifies its code (source-code.mjs) and only then listens: like a pod
// that is not ready until its code is, a kickoff never reaches a runner without code. It serves
//   POST /kickoff            {"executionId","inputs"}: 202 at once, then runs (run-execution.mjs)
//   POST /hitl/{requestId}   {"requestId","answer","answeredBy"}: the answer to a question it asked
// on PORT (8080, the Deployment's containerPort) and HOST (all interfaces). A test without a pod
// network sets PORT=0 and HOST=127.0.0.1; the bound address is the first line on stdout.
// Stdout has one JSON object per line ({ event, … }); a failure to start is on stderr, exit code 1.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fetchCode } from './source-code.mjs';
import { createHitl } from './hitl.mjs';
import { runExecution } from './run-execution.mjs';
import { startTelemetry } from './telemetry.mjs';

const env = process.env;
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const MAX_BODY = 1024 * 1024;

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gatehouse-runner-'));
let telemetry;
let code;
try {
  telemetry = await startTelemetry(env);
  code = await fetchCode(env, workDir);
} catch (error) {
  process.stderr.write(`reference runner: ${error.message}\n`);
  await fs.promises.rm(workDir, { recursive: true, force: true });
  process.exit(1);
}
const hitl = createHitl(env);

async function kickoff(executionId, inputs) {
  const status = await runExecution({ tracer: telemetry.tracer, hitl, code, env }, executionId, inputs);
  // The root span ends the execution; send it now rather than on the batch timer.
  await telemetry.flush();
  say({ event: 'finished', executionId, status, exports: telemetry.results });
}

const server = http.createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://runner.invalid');
    const answer = /^\/hitl\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || (url.pathname !== '/kickoff' && !answer)) return send(res, 404, { error: 'POST /kickoff or /hitl/{requestId}' });
    const body = await readJson(req).catch(() => null);
    if (typeof body !== 'object' || body === null) return send(res, 400, { error: 'expected a JSON object' });
    if (answer) {
      const requestId = decodeURIComponent(answer[1]);
      const known = hitl.receive(requestId, body);
      say({ event: 'answer', requestId, known });
      return send(res, known ? 200 : 404, known ? { received: requestId } : { error: `no question ${requestId} is waiting here` });
    }
    const { executionId, inputs } = body;
    if (typeof executionId !== 'string' || executionId === '') return send(res, 400, { error: 'executionId must be a non-empty string' });
    // Answer at once: runAutomation waits for this answer (RUNNER_TIMEOUT_MS), never for the run.
    send(res, 202, { executionId });
    say({ event: 'kickoff', executionId });
    await kickoff(executionId, typeof inputs === 'object' && inputs !== null ? inputs : {});
  })().catch((error) => {
    say({ event: 'error', message: String(error.message ?? error) });
    if (!res.headersSent) send(res, 500, { error: 'internal error' });
  });
});

// A run still waiting for a person is abandoned, as in a pod that is stopped; what ended is sent.
async function stop() {
  server.close();
  server.closeAllConnections();
  await telemetry.shutdown();
  await fs.promises.rm(workDir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

server.listen(Number(env.PORT ?? 8080), env.HOST ?? '0.0.0.0', () => {
  say({ event: 'listening', port: server.address().port, source: code.attributes });
});
