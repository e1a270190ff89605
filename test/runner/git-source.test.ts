import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed } from '../support/expect.js';
import { CREW_FILES } from '../support/runner/crew-files.js';
import { serveGitRepo, type GitHttpRepo } from '../support/runner/git-server.js';
import { runAndAnswer, startRunnerEnv, type RunnerEnv } from '../support/runner/runner-e2e.js';
import { LOCAL_OVERRIDES, RunnerStartError, startRunner, type RunnerProcess } from '../support/runner/runner-process.js';
import { expectCrewTrace } from '../support/runner/trace-expectations.js';

// Issue 13, item 3, Git source: README "Runner contract" end to end. The repository is a bare
// repository of the test's own, served over HTTPS by a static file server (Git's "dumb HTTP"
// protocol) that answers 401 without the read credential. It is connected with its clone URL, its
// read credential set through GraphQL, and deployed at the tag v1; the reference runner clones it
// with nothing but its pod's environment (GATEHOUSE_SOURCE_REPOSITORY_URL, GATEHOUSE_SOURCE_REF,
// GATEHOUSE_GIT_USERNAME and GATEHOUSE_GIT_TOKEN) and runs crew.mjs.
//
// Besides PORT and HOST, the runner gets GIT_SSL_CAINFO: the trust a runner image would carry for
// a self-hosted Git server's certificate, here the test server's self-signed one.

const TOKEN = 'ghs_reference-runner-read-token';
const CONNECT = `mutation($org: ID!, $url: String!) { connectGitRepo(organizationId: $org, input: { fullName: "acme/crew", cloneUrl: $url }) { id cloneUrl } }`;
const SET_CREDENTIAL = `mutation($id: ID!, $token: String!) { setGitRepoReadCredential(id: $id, credential: { accessToken: $token }) { id hasReadCredential } }`;

let h: RunnerEnv;
let repo: GitHttpRepo;
let automationId: string;
let podEnv: Record<string, string>;
let deployedEnv: string[];
let runner: RunnerProcess;
let trust: Record<string, string>;

beforeAll(async () => {
  h = await startRunnerEnv();
  repo = await serveGitRepo('acme/crew.git', CREW_FILES, TOKEN);
  trust = { GIT_SSL_CAINFO: repo.caFile };
  const { gw } = h.cluster;
  const connected = await expectAllowed<{ connectGitRepo: { id: string; cloneUrl: string } }>(gw, h.org.owner.token, CONNECT, {
    org: String(h.org.organizationId),
    url: repo.url,
  });
  expect(connected.connectGitRepo.cloneUrl).toBe(repo.url);
  await expectAllowed(gw, h.org.owner.token, SET_CREDENTIAL, { id: connected.connectGitRepo.id, token: TOKEN });
  const deployed = await h.deploy({ gitRepoId: connected.connectGitRepo.id, ref: 'v1' });
  automationId = deployed.automationId;
  const deployment = deployed.deployment.manifests.find((m) => m.kind === 'Deployment') as {
    spec: { template: { spec: { containers: Array<{ env: Array<{ name: string }> }> } } };
  };
  deployedEnv = deployment.spec.template.spec.containers[0]?.env.map((e) => e.name) ?? [];
  podEnv = await h.podEnv(automationId);
  runner = await h.launch(automationId, { ...podEnv, ...trust });
});
afterAll(async () => {
  await h?.close();
  await repo?.close();
});

describe('a Git deployment, run by the reference runner from its environment alone', () => {
  it('the pod learns the repository and ref from its Deployment, and the credential from its Secret alone', () => {
    expect(podEnv).toMatchObject({
      GATEHOUSE_SOURCE_REPOSITORY: 'acme/crew',
      GATEHOUSE_SOURCE_REPOSITORY_URL: repo.url,
      GATEHOUSE_SOURCE_REF: 'v1',
      GATEHOUSE_GIT_USERNAME: 'x-access-token',
      GATEHOUSE_GIT_TOKEN: TOKEN,
    });
    expect(deployedEnv).toEqual(expect.arrayContaining(['GATEHOUSE_SOURCE_REPOSITORY_URL', 'GATEHOUSE_SOURCE_REF']));
    expect(deployedEnv.filter((name) => name.startsWith('GATEHOUSE_GIT_'))).toEqual([]);
    expect(runner.events[0]).toMatchObject({
      event: 'listening',
      source: { 'gatehouse.source.type': 'git', 'gatehouse.source.ref': 'v1', 'gatehouse.source.commit': repo.commit },
    });
    // git sends the credential once the server asks for it (401), then fetches with it.
    expect(repo.requests[0]).toEqual({ path: '/acme/crew.git/info/refs', status: 401 });
    expect(repo.requests.filter((r) => r.status === 200).map((r) => r.path)).toEqual(
      expect.arrayContaining(['/acme/crew.git/info/refs', '/acme/crew.git/HEAD']),
    );
  });

  it('kickoff, spans, a question answered through GraphQL, and the execution SUCCEEDED with its trace', async () => {
    const exchange = await runAndAnswer(h, automationId, { topic: 'badgers' }, { approved: false });
    expect(exchange.kickoff.status).toBe('RUNNING');
    expect(exchange.question.question).toBe('Publish "A short note about badgers."?');
    expect(exchange.answered).toMatchObject({ status: 'ANSWERED', forwardStatus: 'DELIVERED' });
    expectCrewTrace(exchange, {
      'gatehouse.source.type': 'git',
      'gatehouse.source.repository': repo.url,
      'gatehouse.source.ref': 'v1',
      'gatehouse.source.commit': repo.commit,
    });
    expect(exchange.execution.spans.find((s) => s.parentSpanId === null)?.attributes['gatehouse.output']).toBe(
      '{"draft":"A short note about badgers.","published":false}',
    );
  });

  it.each([
    ['without the credential', { GATEHOUSE_GIT_TOKEN: undefined, GATEHOUSE_GIT_USERNAME: undefined }, /could not read Username .* terminal prompts disabled/],
    ['with a credential the server does not take', { GATEHOUSE_GIT_TOKEN: 'ghs_revoked' }, /Authentication failed/],
  ])('%s the clone fails and the runner never listens', async (_case, change, message) => {
    const before = repo.requests.length;
    const env = Object.fromEntries(
      Object.entries({ ...podEnv, ...change, ...trust, ...LOCAL_OVERRIDES }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const failed = await startRunner(env).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(RunnerStartError);
    expect(failed).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(message) });
    expect(repo.requests.slice(before).every((r) => r.status === 401)).toBe(true);
  });
});
