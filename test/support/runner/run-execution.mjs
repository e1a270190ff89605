// One execution, from kickoff to the root span that ends it (README "Runner contract": kickoff,
// spans, a question for a person, end).
// Every span carries gatehouse.execution.id, because one process runs many executions and the
// resource is shared by all of them; the root span (no parent) carries gatehouse.execution.status,
// which completes the execution at the root's end time.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { runDefinition } from './studio-definition.mjs';

const ENTRY = 'crew.mjs';
// The output is reported as an attribute; the SDK cuts it at OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT too.
const OUTPUT_MAX = 2000;

/**
 * What the code gets to work with: spans under the current one, and questions for a person. The
 * code never sees the tracer, so it cannot forget the execution id or end the root span.
 */
function toolsFor(execution, parent) {
  const { tracer, hitl, executionId } = execution;
  const start = (name, attributes = {}, kind = SpanKind.INTERNAL) =>
    tracer.startSpan(name, { kind, attributes: { ...attributes, 'gatehouse.execution.id': executionId } }, trace.setSpan(ROOT_CONTEXT, parent));
  return {
    executionId,
    /** Runs `work(tools)` in a child span; a throw marks the span ERROR and goes on up. */
    async span(name, attributes, work) {
      const span = start(name, attributes);
      try {
        const result = work ? await work(toolsFor(execution, span)) : undefined;
        span.setStatus({ code: SpanStatusCode.OK });
        return result;
      } catch (error) {
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error.message ?? error) });
        throw error;
      } finally {
        span.end();
      }
    },
    /** Asks a person; the span lasts as long as the wait, and says who answered. */
    async askHuman(question, context = {}) {
      const span = start('hitl.question', { 'gatehouse.hitl.question': question }, SpanKind.CLIENT);
      try {
        const { requestId, answer, answeredBy } = await hitl.ask(executionId, question, context);
        span.setAttributes({
          'gatehouse.hitl.request_id': requestId,
          'gatehouse.hitl.answer': JSON.stringify(answer),
          'gatehouse.hitl.answered_by': answeredBy?.name ?? '',
        });
        span.setStatus({ code: SpanStatusCode.OK });
        return answer;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error.message ?? error) });
        throw error;
      } finally {
        span.end();
      }
    },
  };
}

/** Runs the fetched code: crew.mjs's run(inputs, tools) for zip and Git, the definition for Studio. */
async function runCode(code, inputs, tools) {
  if (code.type === 'studio') return runDefinition(code.definition, inputs, tools);
  const module = await import(pathToFileURL(path.join(code.dir, ENTRY)).href);
  if (typeof module.run !== 'function') throw new Error(`${ENTRY} exports no run(inputs, tools) function.`);
  return module.run(inputs, tools);
}

/**
 * Runs one kickoff to its end and reports it. Never throws: a failure is the execution's FAILED
 * status, with the error as the root span's status message (the execution's `error`).
 */
export async function runExecution({ tracer, hitl, code, env }, executionId, inputs) {
  const root = tracer.startSpan('automation.run', {
    kind: SpanKind.SERVER,
    attributes: {
      'gatehouse.execution.id': executionId,
      'gatehouse.automation.id': env.GATEHOUSE_AUTOMATION_ID ?? '',
      'gatehouse.automation.version': Number(env.GATEHOUSE_AUTOMATION_VERSION ?? 0),
      ...code.attributes,
    },
  });
  try {
    const output = await runCode(code, inputs, toolsFor({ tracer, hitl, executionId }, root));
    root.setAttribute('gatehouse.output', JSON.stringify(output ?? null).slice(0, OUTPUT_MAX));
    root.setAttribute('gatehouse.execution.status', 'SUCCEEDED');
    root.setStatus({ code: SpanStatusCode.OK });
    return 'SUCCEEDED';
  } catch (error) {
    root.recordException(error);
    root.setAttribute('gatehouse.execution.status', 'FAILED');
    root.setStatus({ code: SpanStatusCode.ERROR, message: String(error.message ?? error) });
    return 'FAILED';
  } finally {
    root.end();
  }
}
