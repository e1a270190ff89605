import { expect } from 'vitest';
import type { Exchange, StoredSpan } from './runner-e2e.js';

/**
 * What README "Runner contract" promises of every run's trace, whatever the source: each span names
 * the execution, the root (no parent) carries the outcome, and the question's span says which
 * request was answered and by whom. Returns the root and its children by name.
 */
export function expectContractTrace(exchange: Exchange, source: Record<string, unknown>): { root: StoredSpan; byName: Map<string, StoredSpan> } {
  const { kickoff, question, execution } = exchange;
  expect(execution).toMatchObject({ status: 'SUCCEEDED', error: null, finishedAt: expect.any(String) });
  for (const span of execution.spans) expect(span.attributes['gatehouse.execution.id'], span.name).toBe(kickoff.id);
  const roots = execution.spans.filter((span) => span.parentSpanId === null);
  expect(roots.map((span) => span.name)).toEqual(['automation.run']);
  const root = roots[0] as StoredSpan;
  expect(root).toMatchObject({
    kind: 'SERVER',
    statusCode: 'OK',
    attributes: { 'gatehouse.execution.status': 'SUCCEEDED', 'gatehouse.automation.id': kickoff.automation.id, ...source },
    resource: { attributes: { 'service.name': `automation-${kickoff.automation.id}`, 'gatehouse.automation.id': kickoff.automation.id } },
  });
  const byName = new Map(execution.spans.map((span) => [span.name, span]));
  expect(byName.get('hitl.question')).toMatchObject({
    kind: 'CLIENT',
    statusCode: 'OK',
    attributes: {
      'gatehouse.hitl.request_id': question.id,
      'gatehouse.hitl.question': question.question,
      'gatehouse.hitl.answer': JSON.stringify(exchange.answered.answer),
      'gatehouse.hitl.answered_by': exchange.answered.answeredBy?.displayName,
    },
  });
  return { root, byName };
}

/** The trace of crew.mjs (crew-files.ts): an LLM call with its tokens, then the question, under the root. */
export function expectCrewTrace(exchange: Exchange, source: Record<string, unknown>): void {
  const { root, byName } = expectContractTrace(exchange, source);
  expect(exchange.execution.spans.map((span) => span.name).sort()).toEqual(['automation.run', 'hitl.question', 'llm.chat']);
  expect(byName.get('llm.chat')).toMatchObject({ parentSpanId: root.spanId, inputTokens: 120, outputTokens: 30 });
  expect(byName.get('hitl.question')?.parentSpanId).toBe(root.spanId);
}
