import type { GraphQLContext } from '../../graphql/context.js';
import type { ToolRow } from '../tools/tools.table.js';
import { checkToolReferences, parseStudioDefinition, type StudioDefinition } from './studio-definition.js';

/**
 * A definition checked whole (src/modules/studio-projects/studio-definition.ts), its tool
 * references against the organization's tools as they are now: on save, and again on deploy,
 * since a tool may have been deleted in between. Returns the tools it references, in order of
 * first use.
 */
export async function checkedStudioDefinition(
  ctx: GraphQLContext,
  organizationId: number,
  raw: Record<string, unknown>,
): Promise<{ definition: StudioDefinition; tools: ToolRow[] }> {
  const { definition, tools: references } = parseStudioDefinition(raw);
  const ids = [...new Set(references.map((reference) => reference.id))];
  const tools: ToolRow[] = [];
  // Another organization's tool reads as nonexistent (SPEC §1).
  for (const row of await Promise.all(ids.map((id) => ctx.loaders.tools.load(id)))) if (row && row.organizationId === organizationId) tools.push(row);
  checkToolReferences(references, new Set(tools.map((tool) => tool.id)));
  return { definition, tools };
}
