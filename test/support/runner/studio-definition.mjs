// A Studio deploy's document, run the way a sequential crew runs its tasks: in order, one span
// each, under the root. The document is what GET GATEHOUSE_CODE_URL answers for a Studio deploy,
// checked against GATEHOUSE_SOURCE_DEFINITION_SHA256 before it gets here:
//   { format: "gatehouse.studio/v1", project, process, agents, tasks, tools }
// (src/modules/deployments/studio-source.ts). This reference runner has no LLM: a task "runs" by
// recording what its agent would be asked. A task that uses the builtin tool `human_input` (on
// the task or its agent; CrewAI's name for asking a person) asks a person and waits for the answer.

const FORMAT = 'gatehouse.studio/v1';
const HUMAN_INPUT = (tool) => tool?.kind === 'BUILTIN' && tool.name === 'human_input';

/** Fills `{name}` placeholders from the inputs, as CrewAI interpolates task descriptions. */
const interpolate = (text, inputs) => String(text ?? '').replace(/\{(\w+)\}/g, (whole, name) => (name in inputs ? String(inputs[name]) : whole));

export async function runDefinition(document, inputs, tools) {
  if (document?.format !== FORMAT) throw new Error(`The Studio document's format is ${JSON.stringify(document?.format)}; this runner reads ${FORMAT}.`);
  const agents = new Map(document.agents.map((agent) => [agent.key, agent]));
  const toolsById = new Map(document.tools.map((tool) => [tool.id, tool]));
  const outputs = [];
  for (const task of document.tasks) {
    const agent = agents.get(task.agent);
    if (!agent) throw new Error(`Task ${task.key} names no agent of the document (${task.agent}).`);
    const used = [...task.toolIds, ...agent.toolIds].map((id) => toolsById.get(id));
    const description = interpolate(task.description, inputs);
    const output = await tools.span(
      `task ${task.key}`,
      {
        'crew.task.key': task.key,
        'crew.task.description': description,
        'crew.task.expected_output': task.expectedOutput,
        'crew.agent.role': agent.role,
        'crew.task.tools': used.map((tool) => tool?.name ?? 'unknown'),
      },
      async (inner) => {
        if (!used.some(HUMAN_INPUT)) return { task: task.key, output: `${agent.role}: ${description}` };
        const answer = await inner.askHuman(description, { task: task.key, expectedOutput: task.expectedOutput });
        return { task: task.key, answer };
      },
    );
    outputs.push(output);
  }
  return outputs;
}
