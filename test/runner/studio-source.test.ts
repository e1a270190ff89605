import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed } from '../support/expect.js';
import { runAndAnswer, startRunnerEnv, type RunnerEnv } from '../support/runner/runner-e2e.js';
import { LOCAL_OVERRIDES, RunnerStartError, startRunner, type RunnerProcess } from '../support/runner/runner-process.js';
import { expectContractTrace } from '../support/runner/trace-expectations.js';

// Issue 13, item 3, Studio source: README "Runner contract" end to end. A Studio project's
// definition is deployed (source: { studioProjectId }); the reference runner GETs the frozen
// document from GATEHOUSE_CODE_URL with its ingest token, checks it against
// GATEHOUSE_SOURCE_DEFINITION_SHA256, and runs its tasks in order, one span each
// (test/support/runner/studio-definition.mjs). The editor's task uses the builtin tool
// `human_input`, so it asks a person, whose answer the test gives through GraphQL.

const CREATE_TOOL = `mutation($org: ID!) { createTool(organizationId: $org, input: { name: "human_input", kind: BUILTIN, description: "Ask a person" }) { id } }`;
const CREATE_PROJECT = `mutation($org: ID!, $definition: JSONObject!) { createStudioProject(organizationId: $org, input: { name: "Notes", definition: $definition }) { id definition } }`;

let h: RunnerEnv;
let automationId: string;
let podEnv: Record<string, string>;
let runner: RunnerProcess;

beforeAll(async () => {
  h = await startRunnerEnv();
  const { gw } = h.cluster;
  const org = String(h.org.organizationId);
  const tool = await expectAllowed<{ createTool: { id: string } }>(gw, h.org.owner.token, CREATE_TOOL, { org });
  const definition = {
    process: 'SEQUENTIAL',
    agents: [
      { key: 'writer', role: 'Writer', goal: 'Write short notes', backstory: '', toolIds: [] },
      { key: 'editor', role: 'Editor', goal: 'Publish only good notes', backstory: '', toolIds: [tool.createTool.id] },
    ],
    tasks: [
      { key: 'draft', description: 'Draft a note about {topic}', expectedOutput: 'A note', agent: 'writer', toolIds: [] },
      { key: 'approve', description: 'Publish the note about {topic}?', expectedOutput: 'yes or no', agent: 'editor', toolIds: [] },
    ],
  };
  const project = await expectAllowed<{ createStudioProject: { id: string } }>(gw, h.org.owner.token, CREATE_PROJECT, { org, definition });
  ({ automationId } = await h.deploy({ studioProjectId: project.createStudioProject.id }));
  podEnv = await h.podEnv(automationId);
  runner = await h.launch(automationId, podEnv);
});
afterAll(async () => h?.close());

describe('a Studio deployment, run by the reference runner from its environment alone', () => {
  it("the pod fetches the frozen definition with its ingest token and checks it against the Deployment's digest", () => {
    const sha256 = podEnv.GATEHOUSE_SOURCE_DEFINITION_SHA256;
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(podEnv.GATEHOUSE_CODE_URL).toBe(`${h.network.ingestBaseUrl}/v1/code`);
    const code = h.network.ingestCalls.filter((call) => call.path === '/v1/code');
    expect(code).toMatchObject([
      { method: 'GET', authorization: `Bearer ${podEnv.GATEHOUSE_INGEST_TOKEN}`, status: 200, contentType: expect.stringMatching(/^application\/json/) },
    ]);
    expect(runner.events[0]).toMatchObject({ event: 'listening', source: { 'gatehouse.source.type': 'studio', 'gatehouse.source.sha256': sha256 } });
  });

  it("each task is a span; the editor's question is answered through GraphQL; the execution SUCCEEDED", async () => {
    const exchange = await runAndAnswer(h, automationId, { topic: 'herons' }, { approved: true });
    expect(exchange.question).toMatchObject({ question: 'Publish the note about herons?', context: { task: 'approve', expectedOutput: 'yes or no' } });
    expect(exchange.answered).toMatchObject({ status: 'ANSWERED', forwardStatus: 'DELIVERED' });
    const { root, byName } = expectContractTrace(exchange, {
      'gatehouse.source.type': 'studio',
      'gatehouse.source.sha256': podEnv.GATEHOUSE_SOURCE_DEFINITION_SHA256,
    });
    expect(exchange.execution.spans.map((s) => s.name).sort()).toEqual(['automation.run', 'hitl.question', 'task approve', 'task draft']);
    expect(byName.get('task draft')).toMatchObject({
      parentSpanId: root.spanId,
      attributes: { 'crew.agent.role': 'Writer', 'crew.task.description': 'Draft a note about herons' },
    });
    expect(byName.get('task approve')).toMatchObject({
      parentSpanId: root.spanId,
      attributes: { 'crew.agent.role': 'Editor', 'crew.task.tools': ['human_input'] },
    });
    expect(byName.get('hitl.question')?.parentSpanId).toBe(byName.get('task approve')?.spanId);
  });

  it('a pod whose Deployment names another digest refuses the definition and never listens', async () => {
    const other = crypto.createHash('sha256').update('another definition').digest('hex');
    const failed = await startRunner({ ...podEnv, GATEHOUSE_SOURCE_DEFINITION_SHA256: other, ...LOCAL_OVERRIDES }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(RunnerStartError);
    expect(failed).toMatchObject({ exitCode: 1, stderr: expect.stringContaining(`but this version was deployed with ${other}; refusing to run it`) });
  });
});
