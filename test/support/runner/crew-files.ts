/**
 * The code a zip or Git source holds for the reference runner: `crew.mjs` exporting
 * `run(inputs, tools)`, which imports a module beside it (so the whole tree must have arrived),
 * reports an LLM call with token counts, and asks a person before it publishes.
 * `inputs.fail` makes it throw before asking: a crew that fails.
 */
export const CREW_FILES: Record<string, string> = {
  'crew.mjs': `import { draftAbout } from './lib/draft.mjs';

export async function run(inputs, tools) {
  if (inputs.fail) throw new Error(\`the crew gave up: \${inputs.fail}\`);
  const draft = await tools.span('llm.chat', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'reference-model',
    'gen_ai.usage.input_tokens': 120,
    'gen_ai.usage.output_tokens': 30,
  }, async () => draftAbout(inputs.topic));
  const answer = await tools.askHuman(\`Publish "\${draft}"?\`, { draft });
  return { draft, published: answer.approved === true };
}
`,
  'lib/draft.mjs': 'export const draftAbout = (topic) => `A short note about ${topic}.`;\n',
  'README.md': 'A crew for the reference runner (test/support/runner).\n',
};
