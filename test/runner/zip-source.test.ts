import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_UPLOAD_PATH } from '../../src/http/upload-archive.js';
import { run } from '../support/execution-fixtures.js';
import { CREW_FILES } from '../support/runner/crew-files.js';
import { finishedExecution, runAndAnswer, startRunnerEnv, type RunnerEnv } from '../support/runner/runner-e2e.js';
import { RunnerStartError, startRunner, LOCAL_OVERRIDES, type RunnerProcess } from '../support/runner/runner-process.js';
import { expectCrewTrace } from '../support/runner/trace-expectations.js';
import { zipOf } from '../support/zip.js';

// Issue 13, item 3, zip source: README "Runner contract" end to end. The archive goes through the
// real upload endpoint, the deploy applies its Secret and Deployment to the Kubernetes stand-in,
// and the reference runner (test/support/runner/reference-runner.mjs) starts with exactly the
// environment the kubelet would give its container. It downloads the archive from the gateway
// (GATEHOUSE_CODE_URL, ingest token), checks it against GATEHOUSE_SOURCE_ARCHIVE_SHA256 and the
// ETag, unpacks it, and runs crew.mjs when runAutomation kicks it off.

const ARCHIVE = zipOf(CREW_FILES);
const SHA256 = crypto.createHash('sha256').update(ARCHIVE).digest('hex');

let h: RunnerEnv;
let automationId: string;
let podEnv: Record<string, string>;
let runner: RunnerProcess;

beforeAll(async () => {
  h = await startRunnerEnv();
  const url = new URL(ARCHIVE_UPLOAD_PATH, h.cluster.gw.url);
  url.searchParams.set('organizationId', String(h.org.organizationId));
  const upload = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.org.owner.token}`, 'content-type': 'application/zip' },
    body: ARCHIVE,
  });
  const archive = (await upload.json()) as { id: string; sha256: string };
  expect(upload.status, JSON.stringify(archive)).toBe(201);
  expect(archive.sha256).toBe(SHA256);
  ({ automationId } = await h.deploy({ archiveId: archive.id }));
  podEnv = await h.podEnv(automationId);
  runner = await h.launch(automationId, podEnv);
});
afterAll(async () => h?.close());

describe('a zip deployment, run by the reference runner from its environment alone', () => {
  it('the pod learns where its code is and which digest it must have, and fetches it with the ingest token', () => {
    expect(podEnv).toMatchObject({
      GATEHOUSE_SOURCE_ARCHIVE_SHA256: SHA256,
      GATEHOUSE_CODE_URL: `${h.network.ingestBaseUrl}/v1/code`,
      GATEHOUSE_AUTOMATION_ID: automationId,
    });
    const code = h.network.ingestCalls.filter((call) => call.path === '/v1/code');
    expect(code).toEqual([
      {
        method: 'GET',
        path: '/v1/code',
        authorization: `Bearer ${podEnv.GATEHOUSE_INGEST_TOKEN}`,
        status: 200,
        contentType: 'application/zip',
        etag: `"${SHA256}"`,
      },
    ]);
    expect(runner.events[0]).toMatchObject({
      event: 'listening',
      source: { 'gatehouse.source.type': 'zip', 'gatehouse.source.sha256': SHA256, 'gatehouse.source.files': 3 },
    });
  });

  it('kickoff, spans, a question answered through GraphQL, and the execution SUCCEEDED with its trace', async () => {
    const exchange = await runAndAnswer(h, automationId, { topic: 'otters' }, { approved: true });
    expect(exchange.kickoff.status).toBe('RUNNING');
    expect(exchange.question).toMatchObject({ question: 'Publish "A short note about otters."?', context: { draft: 'A short note about otters.' } });
    expect(exchange.answered).toMatchObject({ status: 'ANSWERED', forwardStatus: 'DELIVERED' });
    expectCrewTrace(exchange, { 'gatehouse.source.type': 'zip', 'gatehouse.source.sha256': SHA256 });
    expect(exchange.execution.spans.find((s) => s.parentSpanId === null)?.attributes['gatehouse.output']).toBe(
      '{"draft":"A short note about otters.","published":true}',
    );
  });

  it('a crew that throws ends the execution FAILED with its message', async () => {
    const kickoff = await run(h.cluster.gw, h.org.owner.token, automationId, { fail: 'no topic' });
    const execution = await finishedExecution(h, kickoff.id);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'the crew gave up: no topic' });
    expect(execution.spans.find((s) => s.parentSpanId === null)).toMatchObject({ statusCode: 'ERROR', attributes: { 'gatehouse.execution.status': 'FAILED' } });
  });

  it('a pod whose Deployment names another digest refuses the code and never listens', async () => {
    const other = crypto.createHash('sha256').update('another archive').digest('hex');
    const failed = await startRunner({ ...podEnv, GATEHOUSE_SOURCE_ARCHIVE_SHA256: other, ...LOCAL_OVERRIDES }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(RunnerStartError);
    expect(failed).toMatchObject({
      exitCode: 1,
      stderr: expect.stringContaining(`has SHA-256 ${SHA256}, but this version was deployed with ${other}; refusing to run it`),
    });
  });

  it('the code is served only with the ingest token', async () => {
    const response = await fetch(podEnv.GATEHOUSE_CODE_URL ?? '');
    expect(response.status).toBe(401);
  });
});
